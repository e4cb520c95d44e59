import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiProblem } from '../http/api-problems.decorator.js';
import type { Principal } from './principal.js';
import type { Role } from './roles.js';

export const ROLES_KEY = 'ingrain:roles';
export const PUBLIC_KEY = 'ingrain:public';
export const PUBLIC_LOG_KEY = 'ingrain:public-log';
/** The OpenAPI security scheme name of bearer tokens. */
export const BEARER_SCHEME = 'bearer';

/**
 * The roles allowed to call a controller or handler (the handler's list replaces the controller's).
 * Other authenticated roles get ROLE_FORBIDDEN; requests without a valid token AUTH_REQUIRED or AUTH_INVALID.
 */
export function Roles(...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiBearerAuth(BEARER_SCHEME),
    ApiProblem('AUTH_REQUIRED or AUTH_INVALID: no token, or an unknown or revoked one'),
    ApiProblem(`ROLE_FORBIDDEN: allowed roles: ${roles.join(', ')}`),
    ApiProblem('AUTH_RATE_LIMITED: too many authentication failures from this address (see Retry-After)'),
  );
}

/** No authentication (health, metrics). Every other route must name its roles with {@link Roles}. */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_KEY, true);
}

/**
 * The public transparency log (tiles, checkpoint, checkpoint history): readable by anyone, token or
 * not, when INGRAIN_LOG_PUBLIC=true; otherwise the route's {@link Roles} apply as everywhere.
 */
export function PublicWhenLogPublic(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_LOG_KEY, true);
}

/** The authenticated caller of a `@Roles` route. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
  if (principal === undefined) throw new Error('@CurrentPrincipal() used on a route without @Roles');
  return principal;
});
