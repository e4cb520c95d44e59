import { type Kysely, sql } from 'kysely';
import type { Tables } from './tables.js';

/** What repositories run statements on: the Database's Kysely or a transaction of it. */
export type Executor = Kysely<Tables>;

/**
 * Runs `work` in a transaction: the caller's when `executor` already is one (so the work commits or
 * rolls back with the caller's unit), else a new one.
 */
export function inTransaction<T>(executor: Executor, work: (trx: Executor) => Promise<T>): Promise<T> {
  if (executor.isTransaction) return work(executor);
  return executor.transaction().execute(work);
}

let savepointCounter = 0;

/**
 * Runs `work` so that its failure does not abort the caller's transaction: inside a transaction it
 * is wrapped in a savepoint (rolled back to on error), outside one it runs as is (each statement
 * commits by itself). Lets a repository catch an expected constraint violation and carry on.
 */
export async function withSavepoint<T>(executor: Executor, work: () => Promise<T>): Promise<T> {
  if (!executor.isTransaction) return work();
  const name = sql.id(`ingrain_sp_${++savepointCounter}`);
  await sql`savepoint ${name}`.execute(executor);
  try {
    const result = await work();
    await sql`release savepoint ${name}`.execute(executor);
    return result;
  } catch (error) {
    await sql`rollback to savepoint ${name}`.execute(executor);
    await sql`release savepoint ${name}`.execute(executor);
    throw error;
  }
}
