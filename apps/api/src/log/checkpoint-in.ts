import { TransparencyLog, type StoredCheckpoint } from '#ingrain/crypto';
import type { PgLogStore } from '../repositories/pg-log-store.js';
import type { TrustService } from '../trust/trust.service.js';

/** The log's signing material: origin and the HSM log key. */
export type LogTrust = Pick<TrustService, 'logOrigin' | 'logSigner'>;

/** The transparency log over `store` (a transaction's, or the plain one for reads). */
export function logOver(store: PgLogStore, trust: LogTrust): TransparencyLog {
  return new TransparencyLog({ store, origin: trust.logOrigin, signer: trust.logSigner });
}

/**
 * Inside the caller's transaction: a signed checkpoint covering every entry that transaction sees,
 * signing one when the latest does not (under the writers' advisory lock, so two processes never
 * sign different checkpoints for one size). For a unit that must anchor the leaves it just read (a
 * work order's close report). Undefined when the log was never initialised (no checkpoint at all:
 * the API signs the empty tree's at start-up).
 */
export async function checkpointCoveringIn(store: PgLogStore, trust: LogTrust): Promise<StoredCheckpoint | undefined> {
  if ((await store.readLatestCheckpoint()) === undefined) return undefined;
  await store.lockWriters();
  return logOver(store, trust).checkpoint();
}
