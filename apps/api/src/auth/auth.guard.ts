import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { roleForbidden } from './auth-errors.js';
import { ApiConfig } from '../config/api-config.js';
import { PUBLIC_KEY, PUBLIC_LOG_KEY, ROLES_KEY } from './auth.decorators.js';
import { ClientCertificateCheck } from './client-certificate.js';
import type { Role } from './roles.js';
import { SessionAuthenticator } from './session-authenticator.js';
import { TokenAuthenticator } from './token-authenticator.js';

/**
 * The global guard: `@Public()` routes pass; every other route authenticates the bearer token, or
 * the console's session cookie (then a state-changing request also needs its CSRF token)
 * (authentication before role) and admits only the roles of its `@Roles(…)`. A route with neither is refused
 * at start-up by {@link RouteAccessCheck}, and with ROLE_FORBIDDEN here should one slip through.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TokenAuthenticator) private readonly authenticator: TokenAuthenticator,
    @Inject(ClientCertificateCheck) private readonly clientCertificates: ClientCertificateCheck,
    @Inject(SessionAuthenticator) private readonly sessions: SessionAuthenticator,
    @Optional() @Inject(ApiConfig) private readonly config?: Pick<ApiConfig, 'log'>,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets) === true) return true;
    // @PublicWhenLogPublic routes (the log's tiles, checkpoint, history) when INGRAIN_LOG_PUBLIC=true.
    if (this.config?.log.public === true && this.reflector.getAllAndOverride<boolean>(PUBLIC_LOG_KEY, targets)) {
      return true;
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // The console's session cookie is the alternative to a bearer token; a header, when sent, wins.
    const bySession = request.headers.authorization === undefined && this.sessions.hasSessionCookie(request);
    const principal = bySession
      ? await this.sessions.authenticate(request)
      : await this.authenticator.authenticate(request);
    request.principal = principal;
    if (bySession) this.sessions.checkCsrf(request);
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    if (!allowed.includes(principal.role)) throw roleForbidden(principal.role, allowed);
    this.clientCertificates.check(request, principal); // a station's client certificate (docs/tls.md)
    return true;
  }
}
