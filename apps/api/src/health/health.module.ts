import { Global, Module } from '@nestjs/common';
import { HealthRegistry } from './health-registry.js';
import { HealthController } from './health.controller.js';

/** `/health/live` and `/health/ready`; {@link HealthRegistry} is global so every adapter can register its check. */
@Global()
@Module({ controllers: [HealthController], providers: [HealthRegistry], exports: [HealthRegistry] })
export class HealthModule {}
