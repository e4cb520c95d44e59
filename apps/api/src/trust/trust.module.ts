import { Global, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { Hsm } from '#ingrain/crypto';
import { ApiConfig } from '../config/api-config.js';
import { HealthRegistry } from '../health/health-registry.js';
import { TrustRootController } from './trust-root.controller.js';
import { TrustService } from './trust.service.js';

/** Registers the `trust` readiness check: service keys on the token, CA certificate still valid. */
@Injectable()
class TrustReadiness implements OnModuleInit {
  constructor(
    @Inject(TrustService) private readonly trust: TrustService,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register('trust', () => this.trust.check());
  }
}

/**
 * The API's trust anchor (global): {@link TrustService} (HSM signers, device CA, public keys).
 * Start-up fails with a TrustError when the service keys or the CA certificate are missing or wrong
 * (`ingrain-admin hsm init` makes them). Identities (IdentityModule) and the transparency log
 * (LogModule) build on it.
 */
@Global()
@Module({
  controllers: [TrustRootController],
  providers: [
    {
      provide: TrustService,
      useFactory: (hsm: Hsm, config: ApiConfig) => TrustService.load(hsm, config),
      inject: [Hsm, ApiConfig],
    },
    TrustReadiness,
  ],
  exports: [TrustService],
})
export class TrustModule {}
