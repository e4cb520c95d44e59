// Test support (not exported): fast-check generators of targets and interrupted device states.
import fc from 'fast-check';
import { BLANK_BYTE, LOCKED_BYTE, type OtpImage, type OtpState } from '../../image/otp-image.js';
import { blankState } from '../../image/image-helpers.js';
import { type DeviceProfile, lockByteCount } from '../../profiles/device-profile.js';
import { STM32F4, STM32F7, STM32F72X, STM32G0, STM32L4 } from '../../profiles/index.js';
import { judgeUnit } from '../units.js';

/** One profile per OTP shape: F4 (32-byte blocks), F7 (64-byte), F72x (F4 shape, 8-byte alignment), L4 and G0 (double-words). */
export const PLANNED_PROFILES: readonly DeviceProfile[] = [STM32F4, STM32F7, STM32F72X, STM32L4, STM32G0];

/** One block's target data: blank, sparse (mostly 0xFF) or dense (mostly programmed). */
function blockDataArb(profile: DeviceProfile): fc.Arbitrary<number[]> {
  const size = profile.blockSizeBytes;
  const byte = (blankWeight: number) =>
    fc.oneof(
      { arbitrary: fc.constant(BLANK_BYTE), weight: blankWeight },
      { arbitrary: fc.integer({ min: 0, max: 255 }), weight: 10 - blankWeight },
    );
  return fc.oneof(
    fc.constant(new Array<number>(size).fill(BLANK_BYTE)),
    fc.array(byte(8), { minLength: size, maxLength: size }),
    fc.array(byte(1), { minLength: size, maxLength: size }),
  );
}

/** Any target image for `profile`: random data and (where the family has lock bytes) random locks. */
export function targetArb(profile: DeviceProfile): fc.Arbitrary<OtpImage> {
  const blocks = Array.from({ length: profile.blockCount }, (_, i) => i);
  return fc
    .record({
      data: fc.array(blockDataArb(profile), { minLength: profile.blockCount, maxLength: profile.blockCount }),
      lockedBlocks: lockByteCount(profile) === 0 ? fc.constant([]) : fc.subarray(blocks),
    })
    .map(({ data, lockedBlocks }) => ({ family: profile.family, data: Uint8Array.from(data.flat()), lockedBlocks }));
}

/**
 * A state reachable by interrupting the programming of `target`: any subset of its write-once
 * units already written, and any subset of its locked blocks locked where their data is complete.
 */
export function interruptedStateArb(profile: DeviceProfile, target: OtpImage): fc.Arbitrary<OtpState> {
  const unitCount = target.data.length / profile.writeOnceUnitBytes;
  return fc
    .record({
      written: fc.array(fc.boolean(), { minLength: unitCount, maxLength: unitCount }),
      locked: fc.array(fc.boolean(), { minLength: profile.blockCount, maxLength: profile.blockCount }),
    })
    .map(({ written, locked }) => buildInterruptedState(profile, target, written, locked));
}

function buildInterruptedState(
  profile: DeviceProfile,
  target: OtpImage,
  written: readonly boolean[],
  locked: readonly boolean[],
): OtpState {
  const state = blankState(profile);
  const unit = profile.writeOnceUnitBytes;
  written.forEach((done, index) => {
    if (done) state.data.set(target.data.subarray(index * unit, (index + 1) * unit), index * unit);
  });
  for (const block of target.lockedBlocks) {
    if (locked[block] === true && blockComplete(profile, state, target, block)) state.lockBytes[block] = LOCKED_BYTE;
  }
  return state;
}

/** Whether every unit of `block` already holds the target. */
export function blockComplete(profile: DeviceProfile, state: OtpState, target: OtpImage, block: number): boolean {
  const start = block * profile.blockSizeBytes;
  for (let unit = start; unit < start + profile.blockSizeBytes; unit += profile.writeOnceUnitBytes) {
    if (judgeUnit(state.data, target.data, unit, profile.writeOnceUnitBytes).kind !== 'done') return false;
  }
  return true;
}

/** A profile together with a target and an interrupted state of it. */
export const scenarioArb = fc
  .constantFrom(...PLANNED_PROFILES)
  .chain((profile) => targetArb(profile).map((target) => ({ profile, target })))
  .chain(({ profile, target }) =>
    interruptedStateArb(profile, target).map((current) => ({ profile, target, current })),
  );
