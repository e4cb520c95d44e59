import { BLANK_BYTE, LOCKED_BYTE, type OtpImage, type OtpState } from '../image/otp-image.js';
import { type DeviceProfile } from '../profiles/device-profile.js';
import { type PlanConflict } from './plan.js';
import { judgeUnit } from './units.js';

/**
 * Every reason the device cannot reach `target`, block by block: illegal lock bytes, units
 * programmed with other values, locked blocks that still miss data, locks the target does not want.
 */
export function findConflicts(profile: DeviceProfile, current: OtpState, target: OtpImage): PlanConflict[] {
  const targetLocks = new Set(target.lockedBlocks);
  const conflicts: PlanConflict[] = [];
  for (let block = 0; block < profile.blockCount; block += 1) {
    conflicts.push(...blockConflicts(profile, current, target, block, targetLocks.has(block)));
  }
  return conflicts;
}

function blockConflicts(
  profile: DeviceProfile,
  current: OtpState,
  target: OtpImage,
  block: number,
  targetLocksBlock: boolean,
): PlanConflict[] {
  const conflicts: PlanConflict[] = [];
  const lockByte = current.lockBytes[block];
  if (lockByte !== undefined && lockByte !== LOCKED_BYTE && lockByte !== BLANK_BYTE) {
    conflicts.push({ reason: 'invalid-lock-byte', block, actual: lockByte });
  }
  let missingBytes = 0;
  const blockStart = block * profile.blockSizeBytes;
  for (let unit = blockStart; unit < blockStart + profile.blockSizeBytes; unit += profile.writeOnceUnitBytes) {
    const verdict = judgeUnit(current.data, target.data, unit, profile.writeOnceUnitBytes);
    if (verdict.kind === 'write') missingBytes += verdict.missingBytes;
    if (verdict.kind === 'conflict') {
      const { offsetBytes, expected, actual } = verdict;
      conflicts.push({ reason: 'byte-conflict', block, offsetBytes, expected, actual });
    }
  }
  if (lockByte === LOCKED_BYTE && missingBytes > 0) {
    conflicts.push({ reason: 'locked-block-incomplete', block, missingBytes });
  }
  if (lockByte === LOCKED_BYTE && !targetLocksBlock) conflicts.push({ reason: 'unexpected-lock', block });
  return conflicts;
}
