import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiConfig } from '../config/api-config.js';
import { Metrics } from '../metrics/metrics.js';
import { TokenRepository } from '../repositories/token-repository.js';
import { hashToken, isWellFormedToken } from './api-token.js';
import { authInvalid, authRateLimited, authRequired } from './auth-errors.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import type { Principal } from './principal.js';
import { PrincipalCache } from './principal-cache.js';
import { ROLES, type Role } from './roles.js';

/** `last_used_at` is written at most this often per token: one write per request would cost throughput. */
const TOUCH_INTERVAL_MS = 60_000;
const BEARER = /^Bearer +(\S+) *$/i;

type FailureReason = 'malformed' | 'unknown';

/**
 * Turns the `Authorization: Bearer ingr_…` header of a request into a {@link Principal}: the
 * token's SHA-256 is looked up among active (not revoked) tokens. The token is checked first: a
 * valid token always authenticates, whatever else came from its address (a line's MES and
 * stations often share one NAT address with a misconfigured client). Only failures are
 * rate-limited ({@link AuthFailureLimiter}): an address with too many recent failures gets 429
 * instead of 401 for its further bad tokens. A missing header is not counted as a failure (it
 * guesses nothing). Never logs a token, only the token id of a success. Successes are reused for
 * INGRAIN_AUTH_CACHE_TTL_MS ({@link PrincipalCache}: by the token's hash; revocation drops them).
 */
@Injectable()
export class TokenAuthenticator implements BeforeApplicationShutdown {
  readonly #limiter: AuthFailureLimiter;
  readonly #lastTouchMs = new Map<string, number>();
  readonly #pendingTouches = new Set<Promise<void>>();

  constructor(
    @Inject(TokenRepository) private readonly tokens: TokenRepository,
    @Inject(ApiConfig) config: ApiConfig,
    @Inject(Metrics) private readonly metrics: Metrics,
    @Inject(PrincipalCache) private readonly cache: PrincipalCache,
  ) {
    this.#limiter = new AuthFailureLimiter(config.authFailureLimit);
  }

  /**
   * @throws AppError AUTH_REQUIRED (no header); AUTH_INVALID (malformed, unknown or revoked
   *   token), or AUTH_RATE_LIMITED instead when the address has too many recent failures.
   */
  async authenticate(request: FastifyRequest): Promise<Principal> {
    const header = request.headers.authorization;
    if (header === undefined || header === '') {
      this.metrics.authFailures.inc({ reason: 'missing' });
      throw authRequired();
    }
    return this.authenticateToken(request, BEARER.exec(header)?.[1]);
  }

  /**
   * Authenticates a token given some other way than the header (the console's sign-in), with the
   * same checks and the same failure limit as the bearer path.
   * @throws AppError AUTH_INVALID, or AUTH_RATE_LIMITED when the address has too many recent failures.
   */
  async authenticateToken(request: FastifyRequest, token: string | undefined): Promise<Principal> {
    if (token === undefined || !isWellFormedToken(token)) return this.#fail(request, 'malformed');
    const tokenHash = hashToken(token);
    const cached = this.cache.get(tokenHash);
    if (cached !== undefined) {
      this.#touchLater(request, cached.tokenId);
      return cached;
    }
    const ticket = this.cache.ticket();
    const record = await this.tokens.findActiveByHash(tokenHash);
    if (record === undefined || !isRole(record.role)) return this.#fail(request, 'unknown');
    this.#touchLater(request, record.id);
    const principal: Principal = {
      tokenId: record.id,
      tokenName: record.name,
      role: record.role,
      stationId: record.stationId ?? null,
      stationLine: record.stationLine,
      stationSealingKey: record.stationSealingKey,
    };
    this.cache.store(tokenHash, principal, ticket);
    return principal;
  }

  #fail(request: FastifyRequest, reason: FailureReason): never {
    const retryAfterMs = this.#limiter.retryAfterMs(request.ip);
    if (retryAfterMs > 0) {
      // Not recorded again: a limited address gets its next maxFailures tries once the window slides.
      this.metrics.authFailures.inc({ reason: 'rate-limited' });
      throw authRateLimited(retryAfterMs);
    }
    this.#limiter.recordFailure(request.ip);
    this.metrics.authFailures.inc({ reason });
    request.log.warn({ clientAddress: request.ip, reason }, 'authentication failed');
    throw authInvalid();
  }

  #touchLater(request: FastifyRequest, tokenId: string): void {
    const now = Date.now();
    if (now - (this.#lastTouchMs.get(tokenId) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.#lastTouchMs.set(tokenId, now);
    const touch = this.tokens.touch(tokenId).catch((error: unknown) => {
      request.log.warn({ err: error, tokenId }, 'could not record token use');
    });
    this.#pendingTouches.add(touch);
    void touch.finally(() => this.#pendingTouches.delete(touch));
  }

  /** Lets the last `last_used_at` writes finish before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.#pendingTouches]);
  }
}

function isRole(role: string): role is Role {
  return (ROLES as readonly string[]).includes(role);
}
