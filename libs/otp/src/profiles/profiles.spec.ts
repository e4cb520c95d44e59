import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CHIP_FAMILIES, lockByteCount, otpSizeBytes } from './device-profile.js';
import { STM32F72X, findProfileByProductId, getProfile } from './index.js';

// Every number below is in docs/hardware.md (§otp-map, §chip-ids, §uid) with its primary source.
describe('device profiles', () => {
  test('each product ID belongs to exactly one family', () => {
    const seen = new Map<number, string>();
    for (const family of CHIP_FAMILIES) {
      for (const pid of getProfile(family).productIds) {
        assert.equal(seen.get(pid), undefined, `PID 0x${pid.toString(16)} is in ${seen.get(pid)} and ${family}`);
        seen.set(pid, family);
      }
    }
  });

  test('a PID finds its family (F72x/F73x apart from F74x–F77x, L4+ with L4)', () => {
    const expected: [number, string][] = [
      [0x449, 'stm32f7'],
      [0x451, 'stm32f7'],
      [0x452, 'stm32f72x'],
      [0x435, 'stm32l4'],
      [0x470, 'stm32l4'],
      [0x471, 'stm32l4'],
      [0x460, 'stm32g0'],
      [0x466, 'stm32g0'],
      [0x456, 'stm32g0'],
      [0x467, 'stm32g0'],
      [0x468, 'stm32g4'],
      [0x469, 'stm32g4'],
      [0x479, 'stm32g4'],
      [0x495, 'stm32wb'],
      [0x497, 'stm32wl'],
    ];
    for (const [pid, family] of expected)
      assert.equal(findProfileByProductId(pid)?.family, family, `0x${pid.toString(16)}`);
    assert.equal(findProfileByProductId(0x450), undefined, 'H74x/H75x is not supported');
    assert.equal(
      findProfileByProductId(0x494),
      undefined,
      'unconfirmed PID: refused until a primary source settles it',
    );
  });

  test('F72x/F73x: 16 × 32 bytes at 0x1FF07800, lock bytes at 0x1FF07A00, UID at 0x1FF07A10', () => {
    assert.equal(STM32F72X.otpBaseAddress, 0x1ff0_7800);
    assert.equal(otpSizeBytes(STM32F72X), 512);
    assert.equal(STM32F72X.lockBaseAddress, 0x1ff0_7a00);
    assert.equal(
      STM32F72X.otpBaseAddress + otpSizeBytes(STM32F72X),
      STM32F72X.lockBaseAddress,
      'locks follow the data',
    );
    assert.equal(STM32F72X.uidAddress, 0x1ff0_7a10);
    assert.equal(STM32F72X.writeOnceUnitBytes, 1);
  });

  test('the double-word families: 1 KB at 0x1FFF7000, written in 8-byte units, no lock bytes', () => {
    for (const family of ['stm32l4', 'stm32g0', 'stm32g4', 'stm32wb', 'stm32wl'] as const) {
      const profile = getProfile(family);
      assert.equal(profile.otpBaseAddress, 0x1fff_7000, family);
      assert.equal(otpSizeBytes(profile), 1024, family);
      assert.equal(profile.writeOnceUnitBytes, 8, family);
      assert.equal(profile.writeAlignmentBytes, 8, family);
      assert.equal(lockByteCount(profile), 0, family);
      assert.equal(profile.uidAddress, 0x1fff_7590, family);
    }
  });

  test('every profile is plannable: alignment divides blocks, units and 256', () => {
    for (const family of CHIP_FAMILIES) {
      const p = getProfile(family);
      assert.equal(256 % p.writeAlignmentBytes, 0, family);
      assert.equal(p.blockSizeBytes % p.writeAlignmentBytes, 0, family);
      assert.equal(p.blockSizeBytes % p.writeOnceUnitBytes, 0, family);
      assert.equal(lockByteCount(p) % p.writeAlignmentBytes, 0, family);
    }
  });
});
