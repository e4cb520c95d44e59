import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators.js';

// @nestjs/common's route metadata key (PATH_METADATA): set by @Get/@Post… on handler methods.
const ROUTE_PATH_METADATA = 'path';

/**
 * Fails the start-up when a controller route has neither `@Roles(…)` nor `@Public()`: access is
 * declared on every route, never defaulted.
 */
@Injectable()
export class RouteAccessCheck implements OnApplicationBootstrap {
  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const undeclared: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (controller === null || typeof controller !== 'function') continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as (...args: unknown[]) => unknown;
        if (Reflect.getMetadata(ROUTE_PATH_METADATA, handler) === undefined) continue;
        const targets = [handler, controller];
        const declared =
          this.reflector.getAllAndOverride<unknown>(PUBLIC_KEY, targets) === true ||
          this.reflector.getAllAndOverride<unknown>(ROLES_KEY, targets) !== undefined;
        if (!declared) undeclared.push(`${controller.name}.${name}`);
      }
    }
    if (undeclared.length > 0) {
      throw new Error(`routes without @Roles(…) or @Public(): ${undeclared.join(', ')}`);
    }
  }
}
