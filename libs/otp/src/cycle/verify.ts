import { type VerifyMismatch } from './types.js';

/** Every offset where `actual` differs from `expected` (same length expected; extra bytes count as differences). */
export function findMismatches(
  region: VerifyMismatch['region'],
  expected: Uint8Array,
  actual: Uint8Array,
): VerifyMismatch[] {
  const mismatches: VerifyMismatch[] = [];
  const length = Math.max(expected.length, actual.length);
  for (let offsetBytes = 0; offsetBytes < length; offsetBytes += 1) {
    const want = expected[offsetBytes] ?? -1;
    const got = actual[offsetBytes] ?? -1;
    if (want !== got) mismatches.push({ region, offsetBytes, expected: want, actual: got });
  }
  return mismatches;
}
