import { Inject, Injectable } from '@nestjs/common';
import { generateToken } from '../auth/api-token.js';
import { PrincipalCache } from '../auth/principal-cache.js';
import { isDatabaseError } from '../database/errors.js';
import { AppError } from '../errors/app-error.js';
import { TokenRepository, type ApiTokenRecord } from '../repositories/token-repository.js';
import { pageById, type PageQuery } from '../http/cursor.js';
import type { ApiTokenView, CreatedToken, CreateTokenRequest, TokenList } from './tokens.schemas.js';

/** A token as the API shows it (never its secret or hash). */
export function toTokenView(record: ApiTokenRecord): ApiTokenView {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    stationId: record.stationId,
    createdAt: record.createdAt.toISOString(),
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
  };
}

/** A token just created, with its secret: the only answer that ever carries it. */
export function createdTokenView(record: ApiTokenRecord, token: string): CreatedToken {
  return { ...toTokenView(record), token };
}

/**
 * API tokens: made here (32 random bytes, only the SHA-256 stored), listed without secrets,
 * revoked for good. Used by `POST/GET/DELETE /v1/tokens` and by `ingrain-admin token …`.
 */
@Injectable()
export class TokensService {
  constructor(
    @Inject(TokenRepository) private readonly tokens: TokenRepository,
    // The API's cache of authenticated tokens; none in `ingrain-admin` (the API's entries expire).
    @Inject(PrincipalCache) private readonly principals?: PrincipalCache,
  ) {}

  /**
   * Creates a token and returns it with its secret — the only time the secret exists outside the
   * caller's hands.
   *
   * @throws AppError STATION_NOT_FOUND for a station token of an unknown station.
   */
  async create(request: CreateTokenRequest): Promise<CreatedToken> {
    const { token, tokenHash } = generateToken();
    try {
      const record = await this.tokens.create({ ...request, tokenHash });
      return createdTokenView(record, token);
    } catch (error) {
      if (isDatabaseError(error, 'FOREIGN_KEY_VIOLATION')) {
        throw new AppError('STATION_NOT_FOUND', `no station '${request.stationId ?? ''}' is registered`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** One page of the list (http/cursor.ts); without a query, all. @throws AppError CURSOR_INVALID. */
  async list(query?: PageQuery): Promise<TokenList> {
    const page = await pageById('tokens', query, (next) => this.tokens.list(next));
    return { tokens: page.items.map(toTokenView), nextCursor: page.nextCursor };
  }

  /**
   * Revokes a token (final: it can never authenticate again; at once in this process, within
   * INGRAIN_AUTH_CACHE_TTL_MS in the other API processes). Revoking a revoked token succeeds.
   *
   * @throws AppError TOKEN_NOT_FOUND.
   */
  async revoke(id: string): Promise<void> {
    const revoked = await this.tokens.revoke(id);
    this.principals?.forgetToken(id); // after the commit: a lookup reading before it is not stored
    if (revoked) return;
    if ((await this.tokens.get(id)) === undefined) {
      throw new AppError('TOKEN_NOT_FOUND', `no API token has id ${id}`);
    }
  }
}
