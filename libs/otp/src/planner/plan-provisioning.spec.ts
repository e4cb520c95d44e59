import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OtpImageError } from '../image/errors.js';
import { blankState, imageFromRaw } from '../image/image-helpers.js';
import { BLANK_BYTE, LOCKED_BYTE, type OtpImage } from '../image/otp-image.js';
import { type ChipFamily, type DeviceProfile, otpSizeBytes } from '../profiles/device-profile.js';
import { STM32F4, STM32F7, STM32L4 } from '../profiles/index.js';
import { PlanInputError } from './errors.js';
import { type Plan } from './plan.js';
import { planProvisioning } from './plan-provisioning.js';

/** An image of `profile` with `bytes` placed at the given OTP offsets. */
function image(profile: DeviceProfile, bytes: Record<number, number[]>, lockedBlocks: number[] = []): OtpImage {
  const data = new Uint8Array(otpSizeBytes(profile)).fill(BLANK_BYTE);
  for (const [offset, values] of Object.entries(bytes)) data.set(values, Number(offset));
  return imageFromRaw(profile.family, data, lockedBlocks);
}

function writePlan(plan: Plan): Extract<Plan, { kind: 'write' }> {
  assert.equal(plan.kind, 'write');
  return plan;
}

function chunkSummary(plan: Extract<Plan, { kind: 'write' }>): [number, number[]][] {
  return plan.dataChunks.map((c) => [c.address, [...c.bytes]]);
}

describe('planProvisioning on F4', () => {
  test('writes two separate runs as two aligned chunks and locks with whole words', () => {
    const target = image(STM32F4, { 0: [1, 2, 3, 4], 40: [5, 6] }, [0, 1]);
    const plan = writePlan(planProvisioning(STM32F4, blankState(STM32F4), target));
    assert.deepEqual(chunkSummary(plan), [
      [0x1fff7800, [1, 2, 3, 4]],
      [0x1fff7828, [5, 6, 0xff, 0xff]],
    ]);
    assert.equal(plan.bytesToProgram, 6);
    assert.deepEqual(plan.blocksToLock, [0, 1]);
    assert.deepEqual(
      plan.lockChunks.map((c) => [c.address, [...c.bytes]]),
      [[0x1fff7a00, [0x00, 0x00, 0xff, 0xff]]],
    );
  });

  test('merges runs separated by at most mergeGapBytes, padding the gap with 0xFF', () => {
    const target = image(STM32F4, { 0: [1], 12: [2] });
    const merged = writePlan(planProvisioning(STM32F4, blankState(STM32F4), target));
    assert.deepEqual(chunkSummary(merged), [
      [0x1fff7800, [1, 0xff, 0xff, 0xff, ...Array<number>(8).fill(0xff), 2, 0xff, 0xff, 0xff]],
    ]);
    const split = writePlan(planProvisioning(STM32F4, blankState(STM32F4), target, { mergeGapBytes: 4 }));
    assert.equal(split.dataChunks.length, 2);
  });

  test('writes only the missing bytes, with 0xFF over bytes already programmed', () => {
    const target = image(STM32F4, { 0: [1, 2, 3, 4] });
    const current = blankState(STM32F4);
    current.data.set([1, 0xff, 3], 0);
    const plan = writePlan(planProvisioning(STM32F4, current, target));
    assert.deepEqual(chunkSummary(plan), [[0x1fff7800, [0xff, 2, 0xff, 4]]]);
    assert.equal(plan.bytesToProgram, 2);
  });

  test('splits at 256 bytes', () => {
    const target = image(STM32F4, { 0: Array<number>(512).fill(0x5a) });
    const plan = writePlan(planProvisioning(STM32F4, blankState(STM32F4), target));
    assert.deepEqual(
      plan.dataChunks.map((c) => [c.address, c.bytes.length]),
      [
        [0x1fff7800, 256],
        [0x1fff7900, 256],
      ],
    );
  });

  test('never bridges a gap across a locked block, however large mergeGapBytes is', () => {
    const target = image(STM32F4, { 31: [1], 32: Array<number>(32).fill(7), 64: [2] }, [1]);
    const current = blankState(STM32F4);
    current.data.fill(7, 32, 64);
    current.lockBytes[1] = LOCKED_BYTE;
    const plan = writePlan(planProvisioning(STM32F4, current, target, { mergeGapBytes: 200 }));
    assert.deepEqual(
      plan.dataChunks.map((c) => c.address),
      [0x1fff781c, 0x1fff7840],
    );
    assert.deepEqual(plan.blocksToLock, []);
    assert.deepEqual(plan.lockChunks, []);
  });

  test('locks the remaining blocks when the data is complete', () => {
    const target = image(STM32F4, { 0: [1], 160: [2] }, [0, 5]);
    const current = blankState(STM32F4);
    current.data[0] = 1;
    current.data[160] = 2;
    current.lockBytes[0] = LOCKED_BYTE;
    const plan = writePlan(planProvisioning(STM32F4, current, target));
    assert.deepEqual(plan.dataChunks, []);
    assert.equal(plan.bytesToProgram, 0);
    assert.deepEqual(plan.blocksToLock, [5]);
    assert.deepEqual(
      plan.lockChunks.map((c) => [c.address, [...c.bytes]]),
      [[0x1fff7a04, [0xff, 0x00, 0xff, 0xff]]],
    );
  });

  test('a device holding the target is already provisioned', () => {
    const target = image(STM32F4, { 0: [1] }, [0]);
    const current = blankState(STM32F4);
    current.data[0] = 1;
    current.lockBytes[0] = LOCKED_BYTE;
    assert.deepEqual(planProvisioning(STM32F4, current, target), { kind: 'already-provisioned' });
    assert.deepEqual(planProvisioning(STM32F4, blankState(STM32F4), image(STM32F4, {})), {
      kind: 'already-provisioned',
    });
  });

  test('reports every conflict, block by block, and writes nothing', () => {
    const target = image(STM32F4, { 0: [1, 2], 32: [3], 96: [4] }, [3]);
    const current = blankState(STM32F4);
    current.data.set([9, 2], 0); // byte 0 holds another value
    current.data[70] = 0x10; // programmed where the target is blank
    current.lockBytes[1] = LOCKED_BYTE; // locked before byte 32 was written, and not a target lock
    current.lockBytes[2] = 0x5a; // illegal lock value
    const plan = planProvisioning(STM32F4, current, target);
    assert.deepEqual(plan, {
      kind: 'conflict',
      conflicts: [
        { reason: 'byte-conflict', block: 0, offsetBytes: 0, expected: 1, actual: 9 },
        { reason: 'locked-block-incomplete', block: 1, missingBytes: 1 },
        { reason: 'unexpected-lock', block: 1 },
        { reason: 'invalid-lock-byte', block: 2, actual: 0x5a },
        { reason: 'byte-conflict', block: 2, offsetBytes: 70, expected: 0xff, actual: 0x10 },
      ],
    });
  });
});

describe('planProvisioning on F7', () => {
  test('aligns chunks to 8 bytes and locks with a whole 8-byte word', () => {
    const target = image(STM32F7, { 3: [0xaa], 64: [1] }, [0, 1]);
    const plan = writePlan(planProvisioning(STM32F7, blankState(STM32F7), target));
    assert.deepEqual(chunkSummary(plan), [
      [0x1ff0f000, [0xff, 0xff, 0xff, 0xaa, 0xff, 0xff, 0xff, 0xff]],
      [0x1ff0f040, [1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ]);
    assert.deepEqual(
      plan.lockChunks.map((c) => [c.address, [...c.bytes]]),
      [[0x1ff0f400, [0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]]],
    );
  });

  test('puts bytes of one aligned word in one chunk even with mergeGapBytes 0', () => {
    const target = image(STM32F7, { 0: [1], 7: [2] });
    const plan = writePlan(planProvisioning(STM32F7, blankState(STM32F7), target, { mergeGapBytes: 0 }));
    assert.deepEqual(chunkSummary(plan), [[0x1ff0f000, [1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2]]]);
  });
});

describe('planProvisioning on L4', () => {
  test('writes whole double-words and never covers one it does not program', () => {
    const target = image(STM32L4, { 0: [1], 8: [2], 24: [3] });
    const plan = writePlan(planProvisioning(STM32L4, blankState(STM32L4), target, { mergeGapBytes: 64 }));
    assert.deepEqual(chunkSummary(plan), [
      [0x1fff7000, [1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
      [0x1fff7018, [3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ]);
    assert.equal(plan.bytesToProgram, 3);
    assert.deepEqual(plan.blocksToLock, []);
    assert.deepEqual(plan.lockChunks, []);
  });

  test('a double-word holding anything but its target is a conflict, even if the target byte is blank', () => {
    const target = image(STM32L4, { 0: [1] });
    const current = blankState(STM32L4);
    current.data[5] = 0x00;
    assert.deepEqual(planProvisioning(STM32L4, current, target), {
      kind: 'conflict',
      conflicts: [{ reason: 'byte-conflict', block: 0, offsetBytes: 0, expected: 1, actual: 0xff }],
    });
  });
});

describe('planProvisioning input checks', () => {
  const target = image(STM32F4, { 0: [1] });

  test('refuses a state of the wrong size', () => {
    const short = { data: new Uint8Array(100).fill(0xff), lockBytes: new Uint8Array(16).fill(0xff) };
    assert.throws(() => planProvisioning(STM32F4, short, target), OtpImageError);
    const noLocks = { data: blankState(STM32F4).data, lockBytes: new Uint8Array(0) };
    assert.throws(() => planProvisioning(STM32F4, noLocks, target), { code: 'IMAGE_INVALID' });
  });

  test('refuses a target of another family', () => {
    const f2Target: OtpImage = { ...target, family: 'stm32f2' satisfies ChipFamily };
    assert.throws(() => planProvisioning(STM32F4, blankState(STM32F4), f2Target), /stm32f2, not stm32f4/);
  });

  test('refuses a target that locks blocks on L4', () => {
    const l4Target: OtpImage = { family: 'stm32l4', data: blankState(STM32L4).data, lockedBlocks: [0] };
    assert.throws(() => planProvisioning(STM32L4, blankState(STM32L4), l4Target), { code: 'IMAGE_INVALID' });
  });

  test('refuses a bad mergeGapBytes', () => {
    for (const mergeGapBytes of [-1, 1.5, Number.NaN]) {
      assert.throws(() => planProvisioning(STM32F4, blankState(STM32F4), target, { mergeGapBytes }), PlanInputError);
    }
  });

  test('refuses a profile it cannot plan for', () => {
    const odd: DeviceProfile = { ...STM32F4, writeAlignmentBytes: 3 };
    assert.throws(() => planProvisioning(odd, blankState(odd), target), { code: 'PLAN_INPUT_INVALID' });
  });
});
