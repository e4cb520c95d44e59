import { sql } from 'kysely';
import type { Executor } from '../database/executor.js';
import type { TokenRole } from '../database/tables.js';
import { plainBytesOrNull } from './row-values.js';

/** A new console session: its id only as a hash, the token it was opened with. */
export interface NewConsoleSession {
  /** SHA-256 of the session id (32 bytes); the id itself lives only in the browser's cookie. */
  readonly idHash: Uint8Array;
  readonly tokenId: string;
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

/** A live session with its (not revoked) token, as the auth guard needs it. */
export interface ActiveConsoleSession {
  readonly tokenId: string;
  readonly tokenName: string;
  readonly role: TokenRole;
  readonly stationId: string | null;
  readonly stationLine: string | null;
  readonly stationSealingKey: Uint8Array | null;
  readonly csrfToken: string;
  readonly expiresAt: Date;
  readonly lastSeenAt: Date;
}

/** console_sessions: the web console's server-side sessions (migration 0007). */
export class ConsoleSessionRepository {
  constructor(private readonly db: Executor) {}

  async create(session: NewConsoleSession): Promise<void> {
    await this.db
      .insertInto('console_sessions')
      .values({
        id_hash: session.idHash,
        token_id: session.tokenId,
        csrf_token: session.csrfToken,
        expires_at: session.expiresAt,
      })
      .execute();
  }

  /**
   * The session with this id hash when it has not expired, was used within `idleTimeoutMs`, and its
   * token is not revoked (revoking a token ends its sessions); joined with the token's station.
   */
  async findActive(idHash: Uint8Array, idleTimeoutMs: number): Promise<ActiveConsoleSession | undefined> {
    const row = await this.db
      .selectFrom('console_sessions')
      .innerJoin('api_tokens', 'api_tokens.id', 'console_sessions.token_id')
      .leftJoin('stations', 'stations.id', 'api_tokens.station_id')
      .select([
        'api_tokens.id as token_id',
        'api_tokens.name as token_name',
        'api_tokens.role',
        'api_tokens.station_id',
        'stations.line as station_line',
        'stations.sealing_public_key as station_sealing_key',
        'console_sessions.csrf_token',
        'console_sessions.expires_at',
        'console_sessions.last_seen_at',
      ])
      .where('console_sessions.id_hash', '=', idHash)
      .where('api_tokens.revoked_at', 'is', null)
      .where('console_sessions.expires_at', '>', sql<Date>`now()`)
      .where(
        'console_sessions.last_seen_at',
        '>',
        sql<Date>`now() - ${sql.lit(idleTimeoutMs)} * interval '1 millisecond'`,
      )
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      tokenId: row.token_id,
      tokenName: row.token_name,
      role: row.role,
      stationId: row.station_id,
      stationLine: row.station_line,
      stationSealingKey: plainBytesOrNull(row.station_sealing_key),
      csrfToken: row.csrf_token,
      expiresAt: row.expires_at,
      lastSeenAt: row.last_seen_at,
    };
  }

  /** Records a use (the idle timeout restarts). */
  async touch(idHash: Uint8Array): Promise<void> {
    await this.db
      .updateTable('console_sessions')
      .set({ last_seen_at: sql<Date>`now()` })
      .where('id_hash', '=', idHash)
      .execute();
  }

  /** Ends a session (sign-out); false when there was none. */
  async delete(idHash: Uint8Array): Promise<boolean> {
    const result = await this.db.deleteFrom('console_sessions').where('id_hash', '=', idHash).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Ends every session opened with the token (its revocation). */
  async deleteForToken(tokenId: string): Promise<number> {
    const result = await this.db.deleteFrom('console_sessions').where('token_id', '=', tokenId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Forgets the sessions that expired or went idle; returns how many. */
  async deleteStale(idleTimeoutMs: number): Promise<number> {
    const result = await this.db
      .deleteFrom('console_sessions')
      .where((eb) =>
        eb.or([
          eb('expires_at', '<=', sql<Date>`now()`),
          eb('last_seen_at', '<=', sql<Date>`now() - ${sql.lit(idleTimeoutMs)} * interval '1 millisecond'`),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
