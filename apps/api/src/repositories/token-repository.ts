import { sql } from 'kysely';
import type { Executor } from '../database/executor.js';
import type { TokenRole } from '../database/tables.js';
import type { Page } from './device-records.js';
import { isUuid, newId, plainBytesOrNull } from './row-values.js';

const NO_ID = '00000000-0000-0000-0000-000000000000';

/** An API token as stored: never its secret, never its hash. */
export interface ApiTokenRecord {
  readonly id: string;
  readonly name: string;
  readonly role: TokenRole;
  /** The station a `station` token is bound to; null for every other role. */
  readonly stationId: string | null;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** An active token as a request's principal needs it: with its station's line and sealing key. */
export interface ActiveApiToken extends ApiTokenRecord {
  /** The line of the token's station; null for a token bound to no station. */
  readonly stationLine: string | null;
  /** The station's registered sealing public key (65 bytes); null when none or no station. */
  readonly stationSealingKey: Uint8Array | null;
}

export interface NewApiToken {
  readonly name: string;
  readonly role: TokenRole;
  readonly stationId?: string | undefined;
  /** SHA-256 of the token secret (32 bytes). */
  readonly tokenHash: Uint8Array;
}

/** last_used_at is refreshed at most this often, so authenticating is not a write per request. */
const TOUCH_INTERVAL = '1 minute';

const COLUMNS = ['id', 'name', 'role', 'station_id', 'created_at', 'last_used_at', 'revoked_at'] as const;

interface TokenRow {
  id: string;
  name: string;
  role: TokenRole;
  station_id: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

function toRecord(row: TokenRow): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    stationId: row.station_id,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** api_tokens: the hashes behind bearer tokens, their role and station binding. */
export class TokenRepository {
  constructor(private readonly db: Executor) {}

  /**
   * Stores a new token. DatabaseError UNIQUE_VIOLATION (api_tokens_token_hash_key) for a hash
   * already stored, CHECK_VIOLATION when a station token lacks its station (or another role has
   * one), FOREIGN_KEY_VIOLATION for an unknown station.
   */
  async create(token: NewApiToken): Promise<ApiTokenRecord> {
    const row = await this.db
      .insertInto('api_tokens')
      .values({
        id: newId(),
        name: token.name,
        role: token.role,
        station_id: token.stationId ?? null,
        token_hash: token.tokenHash,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  /** The token with this hash, unless revoked. */
  /**
   * The active (not revoked) token with this hash, joined with its station (one query: the station
   * scope then needs no read of its own per request).
   */
  async findActiveByHash(tokenHash: Uint8Array): Promise<ActiveApiToken | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .leftJoin('stations', 'stations.id', 'api_tokens.station_id')
      .select([
        'api_tokens.id',
        'api_tokens.name',
        'api_tokens.role',
        'api_tokens.station_id',
        'api_tokens.created_at',
        'api_tokens.last_used_at',
        'api_tokens.revoked_at',
        'stations.line as station_line',
        'stations.sealing_public_key as station_sealing_key',
      ])
      .where('api_tokens.token_hash', '=', tokenHash)
      .where('api_tokens.revoked_at', 'is', null)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      ...toRecord(row),
      stationLine: row.station_line,
      stationSealingKey: plainBytesOrNull(row.station_sealing_key),
    };
  }

  async get(id: string): Promise<ApiTokenRecord | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db.selectFrom('api_tokens').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Records a use of the token; refreshed at most once a minute, so calling it per request is cheap. */
  async touch(id: string): Promise<void> {
    if (!isUuid(id)) return;
    await this.db
      .updateTable('api_tokens')
      .set({ last_used_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb('last_used_at', 'is', null),
          eb('last_used_at', '<', sql<Date>`now() - ${sql.lit(TOUCH_INTERVAL)}::interval`),
        ]),
      )
      .execute();
  }

  /** Tokens, revoked ones included, oldest first, after the token id `page.after`, at most `page.limit` (all without one). */
  async list(page: Partial<Page> = {}): Promise<ApiTokenRecord[]> {
    let query = this.db.selectFrom('api_tokens').select(COLUMNS);
    if (page.after !== undefined) {
      // After the token `after` in (created_at, id) order; an unknown id matches nothing.
      query = query.where(
        sql<boolean>`(created_at, id) > (select t.created_at, t.id from api_tokens t where t.id = ${isUuid(page.after) ? page.after : NO_ID}::uuid)`,
      );
    }
    const rows = await query
      .orderBy('created_at')
      .orderBy('id')
      .$if(page.limit !== undefined, (q) => q.limit(page.limit ?? 0))
      .execute();
    return rows.map(toRecord);
  }

  /** Revokes the token; false when it does not exist or was already revoked (revocation is final). */
  async revoke(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
