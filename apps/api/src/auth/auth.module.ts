import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { AuthGuard } from './auth.guard.js';
import { ClientCertificateCheck } from './client-certificate.js';
import { RouteAccessCheck } from './route-access.check.js';
import { SessionAuthenticator } from './session-authenticator.js';
import { TokenAuthenticator } from './token-authenticator.js';

/** Bearer-token (and console session cookie) authentication and role checks for every route (a global guard). */
@Module({
  imports: [DiscoveryModule],
  providers: [
    TokenAuthenticator,
    SessionAuthenticator,
    ClientCertificateCheck,
    RouteAccessCheck,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TokenAuthenticator, SessionAuthenticator],
})
export class AuthModule {}
