import { Global, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { Hsm, pooledRandomSource } from '#ingrain/crypto';
import { ApiConfig } from '../config/api-config.js';
import { HealthRegistry } from '../health/health-registry.js';
import { IdentityService } from '../identity/identity.service.js';
import { LogService } from './log.service.js';
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
 * The API's trust anchor (global): {@link TrustService} (HSM signers, device CA, public keys),
 * {@link IdentityService} (device identities with the HSM and the prepared CA issuer) and
 * {@link LogService} (the transparency log). Start-up fails with a TrustError when the service
 * keys or the CA certificate are missing or wrong (`ingrain-admin hsm init` makes them).
 */
@Global()
@Module({
  providers: [
    {
      provide: TrustService,
      useFactory: (hsm: Hsm, config: ApiConfig) => TrustService.load(hsm, config),
      inject: [Hsm, ApiConfig],
    },
    {
      provide: IdentityService,
      useFactory: (hsm: Hsm, trust: TrustService) =>
        new IdentityService({ hsm, issuer: trust.issuer, random: pooledRandomSource() }),
      inject: [Hsm, TrustService],
    },
    LogService,
    TrustReadiness,
  ],
  exports: [TrustService, IdentityService, LogService],
})
export class TrustModule {}
