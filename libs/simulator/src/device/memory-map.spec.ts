import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getProfile } from '#ingrain/otp';
import { familyTraits } from './family-traits.js';
import { MemoryMap } from './memory-map.js';

describe('MemoryMap', () => {
  const f4 = new MemoryMap(getProfile('stm32f4'), familyTraits('stm32f4'));

  test('locates OTP data, lock bytes, UID and flash size; everything else is unmapped', () => {
    assert.equal(f4.locate(0x1fff_7800)?.region.kind, 'otp-data');
    assert.equal(f4.locate(0x1fff_79ff)?.offsetBytes, 511);
    assert.equal(f4.locate(0x1fff_7a0f)?.region.kind, 'otp-lock');
    assert.equal(f4.locate(0x1fff_7a10)?.region.kind, 'uid');
    assert.equal(f4.locate(0x1fff_7a23)?.region.kind, 'flash-size');
    for (const address of [0x0800_0000, 0x1fff_77ff, 0x1fff_7a1c, 0x1fff_7a24, 0xffff_0000]) {
      assert.equal(f4.locate(address), undefined, address.toString(16));
    }
  });

  test('covers() follows adjacent regions and stops at gaps and read-only regions', () => {
    assert.equal(f4.covers(0x1fff_7800, 528, true), true);
    assert.equal(f4.covers(0x1fff_7800, 540, false), true);
    assert.equal(f4.covers(0x1fff_7800, 529, true), false, 'the UID is not writable');
    assert.equal(f4.covers(0x1fff_7a10, 13, false), false, 'gap after the UID');
  });

  test('F7 and L4 use their own addresses', () => {
    const f7 = new MemoryMap(getProfile('stm32f7'), familyTraits('stm32f7'));
    assert.equal(f7.locate(0x1ff0_f3ff)?.region.kind, 'otp-data');
    assert.equal(f7.locate(0x1ff0_f442)?.region.kind, 'flash-size');
    const l4 = new MemoryMap(getProfile('stm32l4'), familyTraits('stm32l4'));
    assert.equal(
      l4.regions.some((region) => region.kind === 'otp-lock'),
      false,
    );
    assert.equal(l4.locate(0x1fff_7590)?.region.kind, 'uid');
  });
});
