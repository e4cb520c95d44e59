import { MAX_TRANSFER_BYTES, RESYNC_BYTE, SYNC_BYTE, WRITE_LENGTH_MULTIPLE_BYTES } from './an3155.js';

// Resync-safe Write Memory frames (docs/hardware.md §resync-safe-frames). Pure functions.
//
// A host that dies inside a data frame `N d0 … dN cs` leaves the ROM waiting for the rest (no
// device-side timeout). The next session sends one 0x7F (autobaud, unavoidable on a fresh chip),
// then only 0xFF. If the ROM had N and d0 … d(j−1) (0 ≤ j ≤ N + 1), the 0x7F becomes byte j of the
// frame (d_j, or the checksum when j = N + 1) and 0xFF fills the rest. With x_j = N ^ d0 ^ … ^ d(j−1):
// - j ≤ N: the checksum byte is 0xFF and the ROM computes x_j ^ 0x7F ^ (N − j odd ? 0xFF : 0x00),
//   so it accepts iff x_j = 0x80 (N − j even) or x_j = 0x7F (N − j odd);
// - j = N + 1: the 0x7F is the checksum: accepted iff x_(N+1) = 0x7F.
// N is odd (N + 1 is a multiple of 4), so N − j is even iff j is odd: the frame is completed and
// programmed iff x_j = (j even ? 0x7F : 0x80) for some 0 ≤ j ≤ N + 1. j = 0 alone rules out
// N = 0x7F (a 128-byte frame), the case npm run chaos found. A frame with no such j is resync-safe:
// whatever prefix the ROM holds, the re-synchronisation ends it with a NACK and nothing is programmed.

/** The value x_j must not take at frame position j (0x7F lands there, then 0xFF fill). */
function forbiddenRunningXor(j: number): number {
  return j % 2 === 0 ? SYNC_BYTE : SYNC_BYTE ^ RESYNC_BYTE;
}

/**
 * The first cut j (bytes of data the ROM already holds) at which a session's 0x7F + 0xFF fill would
 * complete `data`'s Write Memory frame with a good checksum, or undefined when there is none.
 * `data` is the payload (N + 1 bytes, N odd).
 */
export function firstUnsafeCut(data: Uint8Array): number | undefined {
  let runningXor = data.length - 1; // x_0 = N
  for (let j = 0; j <= data.length; j += 1) {
    if (runningXor === forbiddenRunningXor(j)) return j;
    runningXor ^= data[j] ?? 0;
  }
  return undefined;
}

/** Whether no interrupted copy of this payload's frame can be completed by a re-synchronisation. */
export function isResyncSafe(data: Uint8Array): boolean {
  return firstUnsafeCut(data) === undefined;
}

/** One Write Memory of a split write: `lengthBytes` bytes from `offsetBytes` of the write's data. */
export interface WriteFrame {
  readonly address: number;
  readonly offsetBytes: number;
  readonly lengthBytes: number;
  /** False only when no split of the write makes every frame safe (see {@link planWriteFrames}). */
  readonly resyncSafe: boolean;
}

/**
 * Splits a write of `data` at `address` into Write Memory frames: each at most 256 bytes, a
 * multiple of `unitBytes` long and starting at a multiple of `unitBytes` from `address` (never
 * inside a programming unit or an alignment unit). Among all such splits it returns one with the
 * fewest frames that are not resync-safe (zero unless the write cannot be split safely), then the
 * fewest frames; ties go to longer frames first.
 * `unitBytes` is a multiple of 4 dividing 256, `data.length` a multiple of `unitBytes` (the caller
 * has checked both).
 */
export function planWriteFrames(address: number, data: Uint8Array, unitBytes: number): WriteFrame[] {
  if (unitBytes % WRITE_LENGTH_MULTIPLE_BYTES !== 0 || MAX_TRANSFER_BYTES % unitBytes !== 0) {
    throw new RangeError(`unitBytes must be a multiple of 4 dividing 256, got ${unitBytes}`);
  }
  if (data.length % unitBytes !== 0) throw new RangeError(`data length must be a multiple of ${unitBytes}`);
  const units = data.length / unitBytes;
  const maxUnits = MAX_TRANSFER_BYTES / unitBytes;
  // best[i]: cheapest split of units [i, units): [unsafe frames, frames], and the first frame's length.
  const best: { unsafe: number; frames: number; next: number; safe: boolean }[] = [];
  best[units] = { unsafe: 0, frames: 0, next: 0, safe: true };
  for (let start = units - 1; start >= 0; start -= 1) {
    const safeLengths = safeFrameLengths(data, start * unitBytes, Math.min(maxUnits, units - start), unitBytes);
    let choice: { unsafe: number; frames: number; next: number; safe: boolean } | undefined;
    for (let length = Math.min(maxUnits, units - start); length >= 1; length -= 1) {
      const rest = best[start + length];
      if (rest === undefined) continue;
      const safe = safeLengths[length] === true;
      const candidate = { unsafe: rest.unsafe + (safe ? 0 : 1), frames: rest.frames + 1, next: length, safe };
      if (
        choice === undefined ||
        candidate.unsafe < choice.unsafe ||
        (candidate.unsafe === choice.unsafe && candidate.frames < choice.frames)
      ) {
        choice = candidate;
      }
    }
    if (choice !== undefined) best[start] = choice;
  }
  const frames: WriteFrame[] = [];
  for (let start = 0; start < units;) {
    const step = best[start];
    if (step === undefined) break; // unreachable: every start has at least the one-unit frame
    frames.push({
      address: address + start * unitBytes,
      offsetBytes: start * unitBytes,
      lengthBytes: step.next * unitBytes,
      resyncSafe: step.safe,
    });
    start += step.next;
  }
  return frames;
}

/**
 * For the frames starting at `offsetBytes` of 1 … maxUnits units: index u is true when the frame of
 * u units is resync-safe. One pass: with P_j = d0 ^ … ^ d(j−1), a frame of N + 1 bytes is unsafe iff
 * N = P_j ^ forbidden(j) for some j ≤ N + 1, so the values P_j ^ forbidden(j) seen so far decide it.
 */
function safeFrameLengths(data: Uint8Array, offsetBytes: number, maxUnits: number, unitBytes: number): boolean[] {
  const unsafeN = new Uint8Array(256);
  const safe: boolean[] = [];
  let prefixXor = 0; // P_j
  let j = 0;
  for (let u = 1; u <= maxUnits; u += 1) {
    const lengthBytes = u * unitBytes;
    for (; j <= lengthBytes; j += 1) {
      unsafeN[prefixXor ^ forbiddenRunningXor(j)] = 1;
      prefixXor ^= data[offsetBytes + j] ?? 0; // P_(j+1), for the longer frames
    }
    safe[u] = unsafeN[lengthBytes - 1] === 0;
  }
  return safe;
}
