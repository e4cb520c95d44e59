import { TransparencyLogError, type AppendedLeaf, type TransparencyLog } from '#ingrain/crypto';

/** Appends before giving up on LOG_APPEND_CONFLICT. */
export const MAX_APPEND_ATTEMPTS = 3;

const isAppendConflict = (error: unknown): boolean =>
  error instanceof TransparencyLogError && error.code === 'LOG_APPEND_CONFLICT';

/**
 * Appends one leaf, retrying (with a fresh read of the tree, which `append` always does) when
 * another writer appended in between: LOG_APPEND_CONFLICT is retried up to
 * {@link MAX_APPEND_ATTEMPTS} attempts in all, calling `onRetry` before each retry; any other
 * error is thrown at once. LogService writers serialize on an advisory lock, so this only
 * matters for a writer that ignores it.
 */
export async function appendWithRetry(
  log: Pick<TransparencyLog, 'append'>,
  leaf: Uint8Array,
  onRetry: () => void = () => undefined,
): Promise<AppendedLeaf> {
  for (let attempt = 1; ; attempt++) {
    try {
      const [appended] = await log.append([leaf]);
      if (appended === undefined) throw new TransparencyLogError('LOG_STATE_INCONSISTENT', 'append returned no leaf');
      return appended;
    } catch (error) {
      if (!isAppendConflict(error) || attempt >= MAX_APPEND_ATTEMPTS) throw error;
      onRetry();
    }
  }
}
