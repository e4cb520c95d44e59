import { AppError } from '../errors/app-error.js';
import type { Role } from './roles.js';

const REALM = 'Bearer realm="ingrain"';

/** AUTH_REQUIRED: no `Authorization: Bearer …` header. */
export function authRequired(): AppError {
  return new AppError('AUTH_REQUIRED', 'this endpoint needs an API token: Authorization: Bearer ingr_…', {
    headers: { 'www-authenticate': REALM },
  });
}

/** AUTH_INVALID: a malformed, unknown or revoked token (deliberately not told apart). */
export function authInvalid(): AppError {
  return new AppError('AUTH_INVALID', 'the API token is not valid (unknown, revoked or malformed)', {
    headers: { 'www-authenticate': `${REALM}, error="invalid_token"` },
  });
}

/** ROLE_FORBIDDEN: a valid token whose role may not call the endpoint. */
export function roleForbidden(role: Role, allowed: readonly Role[]): AppError {
  const detail = `a '${role}' token may not call this endpoint (allowed: ${allowed.join(', ') || 'none'})`;
  return new AppError('ROLE_FORBIDDEN', detail);
}

/** AUTH_RATE_LIMITED with Retry-After in whole seconds (rounded up). */
export function authRateLimited(retryAfterMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(
    'AUTH_RATE_LIMITED',
    `too many authentication failures from this address; retry in ${seconds} s`,
    {
      headers: { 'retry-after': String(seconds) },
    },
  );
}
