import { Module } from '@nestjs/common';
import { Hsm, pooledRandomSource } from '#ingrain/crypto';
import { TrustService } from '../trust/trust.service.js';
import { IdentityService } from './identity.service.js';

/**
 * Device identities: {@link IdentityService} issues them with the HSM under the device CA issuer
 * that TrustService prepared (global TrustModule), and re-materializes their secrets at claim time.
 */
@Module({
  providers: [
    {
      provide: IdentityService,
      useFactory: (hsm: Hsm, trust: TrustService) =>
        new IdentityService({ hsm, issuer: trust.issuer, random: pooledRandomSource() }),
      inject: [Hsm, TrustService],
    },
  ],
  exports: [IdentityService],
})
export class IdentityModule {}
