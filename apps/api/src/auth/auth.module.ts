import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { AuthGuard } from './auth.guard.js';
import { ApiConfig } from '../config/api-config.js';
import { ClientCertificateCheck } from './client-certificate.js';
import { PrincipalCache } from './principal-cache.js';
import { RouteAccessCheck } from './route-access.check.js';
import { SessionAuthenticator } from './session-authenticator.js';
import { TokenAuthenticator } from './token-authenticator.js';

/** Bearer-token (and console session cookie) authentication and role checks for every route (a global guard). */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: PrincipalCache,
      useFactory: (config: ApiConfig) => new PrincipalCache({ ttlMs: config.authCacheTtlMs }),
      inject: [ApiConfig],
    },
    TokenAuthenticator,
    SessionAuthenticator,
    ClientCertificateCheck,
    RouteAccessCheck,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  // PrincipalCache: token revocation and station changes drop its entries (tokens/, stations/).
  exports: [TokenAuthenticator, SessionAuthenticator, PrincipalCache],
})
export class AuthModule {}
