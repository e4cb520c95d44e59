// Helpers for parallel HSM calls whose results may be secret: wait for all, then either use every
// value or zero the ones that arrived and rethrow.

type Values<T extends readonly PromiseSettledResult<unknown>[]> = {
  -readonly [K in keyof T]: T[K] extends PromiseSettledResult<infer V> ? V : never;
};

/** The fulfilled values in order, or the first rejection's reason (after `onFailure` ran). */
export function unwrapAll<T extends readonly PromiseSettledResult<unknown>[]>(
  settled: T,
  onFailure?: () => void,
): Values<T> {
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) {
    onFailure?.();
    throw failed.reason;
  }
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as Values<T>;
}

/**
 * Zeroes every secret buffer among fulfilled results: a Uint8Array, the Uint8Arrays of an array
 * or Map, and the `privateKey` of a device key pair. Other values are left alone.
 */
export function wipeSettled(settled: readonly PromiseSettledResult<unknown>[]): void {
  for (const result of settled) {
    if (result.status === 'fulfilled') wipe(result.value);
  }
}

function wipe(value: unknown): void {
  if (value instanceof Uint8Array) {
    value.fill(0);
  } else if (Array.isArray(value)) {
    for (const item of value) if (item instanceof Uint8Array) item.fill(0);
  } else if (value instanceof Map) {
    for (const item of value.values()) if (item instanceof Uint8Array) item.fill(0);
  } else if (typeof value === 'object' && value !== null && 'privateKey' in value) {
    const { privateKey } = value as { privateKey?: unknown };
    if (privateKey instanceof Uint8Array) privateKey.fill(0);
  }
}
