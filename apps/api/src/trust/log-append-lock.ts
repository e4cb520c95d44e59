import { sql } from 'kysely';
import type { Executor } from '../database/executor.js';

// The name of the PostgreSQL advisory lock that orders log writers; hashed to the lock's bigint
// key by the server (hashtextextended, PostgreSQL ≥ 11; PGlite has it too).
const LOG_WRITER_LOCK = 'ingrain/transparency-log/writer';

/**
 * Takes the log writers' transaction-scoped advisory lock (pg_advisory_xact_lock): waits until no
 * other transaction, in this process or another, holds it; released when `trx` commits or rolls
 * back. Taken before reading the tree, it makes the read–append–checkpoint sequence of one
 * transaction see the committed result of the previous writer, so appends never race.
 * `trx` must be a transaction (outside one the lock would be released at once).
 */
export async function lockLogWriters(trx: Executor): Promise<void> {
  if (!trx.isTransaction) throw new TypeError('lockLogWriters needs a transaction');
  await sql`select pg_advisory_xact_lock(hashtextextended(${LOG_WRITER_LOCK}, 0))`.execute(trx);
}
