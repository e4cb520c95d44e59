import { BLANK_BYTE } from '../image/otp-image.js';

/**
 * What one write-once unit (a byte on F2/F4/F7, a double-word on L4) needs:
 * `done` (already holds the target), `write` (blank and the target is not), or `conflict`
 * (programmed with something else, or programmed where the target is blank).
 */
export type UnitVerdict =
  | { readonly kind: 'done' }
  | { readonly kind: 'write'; readonly missingBytes: number }
  | { readonly kind: 'conflict'; readonly offsetBytes: number; readonly expected: number; readonly actual: number };

/** Judges the unit of `sizeBytes` at `startBytes`, comparing the current data with the target. */
export function judgeUnit(current: Uint8Array, target: Uint8Array, startBytes: number, sizeBytes: number): UnitVerdict {
  let firstDifference = -1;
  let blank = true;
  let missingBytes = 0;
  for (let offset = startBytes; offset < startBytes + sizeBytes; offset += 1) {
    const actual = current[offset] ?? BLANK_BYTE;
    const expected = target[offset] ?? BLANK_BYTE;
    if (actual !== BLANK_BYTE) blank = false;
    if (actual === expected) continue;
    if (firstDifference === -1) firstDifference = offset;
    if (actual === BLANK_BYTE) missingBytes += 1;
  }
  if (firstDifference === -1) return { kind: 'done' };
  if (blank) return { kind: 'write', missingBytes };
  return {
    kind: 'conflict',
    offsetBytes: firstDifference,
    expected: target[firstDifference] ?? BLANK_BYTE,
    actual: current[firstDifference] ?? BLANK_BYTE,
  };
}
