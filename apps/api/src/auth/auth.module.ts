import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { AuthGuard } from './auth.guard.js';
import { ClientCertificateCheck } from './client-certificate.js';
import { RouteAccessCheck } from './route-access.check.js';
import { TokenAuthenticator } from './token-authenticator.js';

/** Bearer-token authentication and role checks for every route (a global guard). */
@Module({
  imports: [DiscoveryModule],
  providers: [
    TokenAuthenticator,
    ClientCertificateCheck,
    RouteAccessCheck,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TokenAuthenticator],
})
export class AuthModule {}
