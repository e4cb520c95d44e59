import { assertImageFits, assertStateFits } from '../image/image-helpers.js';
import { BLANK_BYTE, LOCKED_BYTE, type OtpImage, type OtpState } from '../image/otp-image.js';
import { type DeviceProfile, lockByteCount, otpSizeBytes } from '../profiles/device-profile.js';
import { MAX_WRITE_BYTES, buildChunks } from './chunks.js';
import { findConflicts } from './conflicts.js';
import { PlanInputError } from './errors.js';
import { type Plan, type WriteChunk } from './plan.js';
import { judgeUnit } from './units.js';

/**
 * Default bridge between two runs of bytes to program: a separate Write Memory command costs 12
 * bytes of framing and 3 round trips (AN3155 §3.6), more than 16 bytes of 0xFF padding.
 */
export const DEFAULT_MERGE_GAP_BYTES = 16;

export interface PlanOptions {
  /**
   * Merge two runs into one chunk when at most this many bytes lie between them (default 16).
   * Ignored on families whose write-once unit is larger than a byte (L4): there a chunk only ever
   * covers units it programs.
   */
  readonly mergeGapBytes?: number;
}

/**
 * Decides how to bring a device from `current` (what it holds) to `target` (what it must hold).
 * Pure: no I/O. Guarantees, when the result is `write`:
 * - data chunks program only blank units (bytes on F2/F4/F7, double-words on L4) and every other
 *   byte in them is 0xFF; applied to `current` they yield exactly `target.data`;
 * - chunks are aligned to profile.writeAlignmentBytes (address and length), hold at most 256
 *   bytes, never overlap, never cover a locked block, and stay inside the OTP (data) or the lock
 *   area (lock chunks); on L4 they never cover a double-word they do not program;
 * - lock chunks write 0x00 only for `blocksToLock` and 0xFF for every other lock byte, and must be
 *   sent only after a read-back has verified the data.
 * Returns `conflict` listing every conflict (and no writes at all) when the device cannot reach the
 * target, and `already-provisioned` when nothing is left to write or lock.
 *
 * @throws OtpImageError (`IMAGE_INVALID`) when `current` or `target` does not fit `profile`.
 * @throws PlanInputError (`PLAN_INPUT_INVALID`) for a bad mergeGapBytes or an unplannable profile.
 */
export function planProvisioning(
  profile: DeviceProfile,
  current: OtpState,
  target: OtpImage,
  options: PlanOptions = {},
): Plan {
  assertPlannableProfile(profile);
  assertStateFits(profile, current);
  assertImageFits(profile, target);
  const mergeGapBytes = resolveMergeGap(profile, options.mergeGapBytes);
  const conflicts = findConflicts(profile, current, target);
  if (conflicts.length > 0) return { kind: 'conflict', conflicts };

  const dataChunks = planDataChunks(profile, current, target, mergeGapBytes);
  const blocksToLock = target.lockedBlocks.filter((block) => current.lockBytes[block] === BLANK_BYTE);
  if (dataChunks.length === 0 && blocksToLock.length === 0) return { kind: 'already-provisioned' };
  const bytesToProgram = dataChunks.reduce((sum, chunk) => sum + chunk.bytes.filter((b) => b !== BLANK_BYTE).length, 0);
  const lockChunks = planLockChunks(profile, blocksToLock, mergeGapBytes);
  return { kind: 'write', dataChunks, bytesToProgram, blocksToLock, lockChunks };
}

function resolveMergeGap(profile: DeviceProfile, requested: number | undefined): number {
  const gap = requested ?? DEFAULT_MERGE_GAP_BYTES;
  if (!Number.isInteger(gap) || gap < 0) {
    throw new PlanInputError(`mergeGapBytes must be a non-negative integer (got ${gap})`);
  }
  return profile.writeOnceUnitBytes > 1 ? 0 : gap;
}

function planDataChunks(
  profile: DeviceProfile,
  current: OtpState,
  target: OtpImage,
  mergeGapBytes: number,
): WriteChunk[] {
  const unit = profile.writeOnceUnitBytes;
  const selected = new Uint8Array(otpSizeBytes(profile));
  for (let start = 0; start < selected.length; start += unit) {
    if (judgeUnit(current.data, target.data, start, unit).kind !== 'write') continue;
    for (let offset = start; offset < start + unit; offset += 1) {
      // A byte unit is selected only when it gets a value; an L4 double-word is written whole.
      if (unit > 1 || current.data[offset] !== target.data[offset]) selected[offset] = 1;
    }
  }
  const lockedBlocks = current.lockBytes.map((b) => (b === LOCKED_BYTE ? 1 : 0));
  const blockOf = (offset: number) => Math.floor(offset / profile.blockSizeBytes);
  return buildChunks(selected, (offset) => target.data[offset] ?? BLANK_BYTE, {
    baseAddress: profile.otpBaseAddress,
    alignmentBytes: profile.writeAlignmentBytes,
    mergeGapBytes,
    mayCover: (start, end) => lockedBlocks.subarray(blockOf(start), blockOf(end - 1) + 1).every((b) => b === 0),
  });
}

function planLockChunks(profile: DeviceProfile, blocksToLock: readonly number[], mergeGapBytes: number): WriteChunk[] {
  if (profile.lockBaseAddress === null || blocksToLock.length === 0) return [];
  const selected = new Uint8Array(lockByteCount(profile));
  for (const block of blocksToLock) selected[block] = 1;
  return buildChunks(selected, () => LOCKED_BYTE, {
    baseAddress: profile.lockBaseAddress,
    alignmentBytes: profile.writeAlignmentBytes,
    mergeGapBytes,
    mayCover: () => true,
  });
}

/** The planner relies on these divisibility facts; every shipped profile has them. */
function assertPlannableProfile(profile: DeviceProfile): void {
  const align = profile.writeAlignmentBytes;
  const unit = profile.writeOnceUnitBytes;
  const problems = [
    MAX_WRITE_BYTES % align !== 0 && 'alignment does not divide 256',
    profile.blockSizeBytes % align !== 0 && 'alignment does not divide the block size',
    profile.blockSizeBytes % unit !== 0 && 'the write-once unit does not divide the block size',
    unit > 1 && unit % align !== 0 && 'alignment does not divide the write-once unit',
    lockByteCount(profile) % align !== 0 && 'alignment does not divide the lock area',
  ].filter((p): p is string => p !== false);
  if (problems.length > 0) throw new PlanInputError(`cannot plan for ${profile.family}: ${problems.join('; ')}`);
}
