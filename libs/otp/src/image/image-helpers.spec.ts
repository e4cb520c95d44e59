import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ChipFamily } from '../profiles/device-profile.js';
import { STM32F4, STM32F7, STM32L4 } from '../profiles/index.js';
import { OtpImageError } from './errors.js';
import { blankState, imageFromRaw, stateFromImage } from './image-helpers.js';

describe('blankState', () => {
  test('is all 0xFF with one lock byte per block, none on L4', () => {
    const f4 = blankState(STM32F4);
    assert.equal(f4.data.length, 512);
    assert.equal(f4.lockBytes.length, 16);
    assert.ok([...f4.data, ...f4.lockBytes].every((b) => b === 0xff));
    assert.equal(blankState(STM32F7).data.length, 1024);
    assert.equal(blankState(STM32L4).lockBytes.length, 0);
  });
});

describe('imageFromRaw', () => {
  test('copies the data and sorts the lock list', () => {
    const raw = new Uint8Array(1024).fill(0x11);
    const image = imageFromRaw('stm32f7', raw, [3, 1]);
    raw[0] = 0;
    assert.equal(image.data[0], 0x11);
    assert.deepEqual(image.lockedBlocks, [1, 3]);
    assert.equal(image.family, 'stm32f7');
  });

  test('refuses a wrong size, unknown or repeated blocks, and locks on L4', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => imageFromRaw('stm32f4', new Uint8Array(528), []), /528 data bytes; stm32f4 OTP has 512/],
      [() => imageFromRaw('stm32f4', new Uint8Array(512), [16]), /block 16 does not exist/],
      [() => imageFromRaw('stm32f4', new Uint8Array(512), [-1]), /block -1 does not exist/],
      [() => imageFromRaw('stm32f4', new Uint8Array(512), [2, 2]), /repeated/],
      [() => imageFromRaw('stm32f4', new Uint8Array(512), [1.5]), /does not exist/],
      [() => imageFromRaw('stm32l4', new Uint8Array(1024), [0]), /stm32l4 has no lock bytes/],
      [() => imageFromRaw('stm32h7' as ChipFamily, new Uint8Array(1024), []), /unknown chip family "stm32h7"/],
    ];
    for (const [call, message] of cases) {
      assert.throws(
        call,
        (error: unknown) =>
          error instanceof OtpImageError && error.code === 'IMAGE_INVALID' && message.test(error.message),
      );
    }
  });
});

describe('stateFromImage', () => {
  test('is the read-back of a device holding the image', () => {
    const data = new Uint8Array(512).fill(0xff);
    data[0] = 7;
    const state = stateFromImage(STM32F4, imageFromRaw('stm32f4', data, [0, 15]));
    assert.equal(state.data[0], 7);
    assert.deepEqual([state.lockBytes[0], state.lockBytes[1], state.lockBytes[15]], [0x00, 0xff, 0x00]);
    assert.throws(() => stateFromImage(STM32F7, imageFromRaw('stm32f4', data, [])), OtpImageError);
  });
});
