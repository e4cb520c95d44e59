import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ChipFamily, getProfile } from '#ingrain/otp';
import { familyTraits } from './family-traits.js';
import { OtpMemory } from './otp-memory.js';

const F4_OTP = 0x1fff_7800;
const F4_LOCK = 0x1fff_7a00;
const L4_OTP = 0x1fff_7000;
const UID = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);

function memory(family: ChipFamily = 'stm32f4'): OtpMemory {
  return new OtpMemory(getProfile(family), familyTraits(family), { uid: UID });
}

describe('OtpMemory programming (F2/F4/F7)', () => {
  test('a blank chip reads 0xFF everywhere in OTP data and lock bytes', () => {
    const otp = memory();
    assert.deepEqual(otp.read(F4_OTP, 528), new Uint8Array(528).fill(0xff));
  });

  test('programming ANDs bits into the cell and 0xFF bytes change nothing', () => {
    const otp = memory();
    otp.program(F4_OTP, Uint8Array.of(0x12, 0xff, 0xf0, 0x00), Infinity);
    assert.deepEqual(otp.read(F4_OTP, 4), Uint8Array.of(0x12, 0xff, 0xf0, 0x00));
    assert.deepEqual(otp.damagedBytes(), []);
  });

  test('programming an already programmed byte ANDs and is recorded as damaged; 0xFF over it is not', () => {
    const otp = memory();
    otp.program(F4_OTP, Uint8Array.of(0xf0, 0x0f, 0xff, 0xff), Infinity);
    otp.program(F4_OTP, Uint8Array.of(0x3c, 0xff, 0xff, 0xff), Infinity);
    assert.deepEqual(otp.read(F4_OTP, 2), Uint8Array.of(0x30, 0x0f));
    assert.deepEqual(otp.damagedBytes(), [{ area: 'data', offsetBytes: 0, reason: 'reprogrammed' }]);
  });

  test('a locked block ignores writes and reports them as write-protected; other blocks still program', () => {
    const otp = memory();
    otp.program(F4_LOCK, Uint8Array.of(0x00, 0xff, 0xff, 0xff), Infinity);
    assert.equal(otp.isBlockLocked(0), true);
    assert.equal(otp.isBlockLocked(1), false);
    const payload = new Uint8Array(64).fill(0x55);
    const outcome = otp.program(F4_OTP, payload, Infinity);
    assert.equal(outcome.writeProtectedBytes, 32);
    assert.deepEqual(otp.read(F4_OTP, 32), new Uint8Array(32).fill(0xff));
    assert.deepEqual(otp.read(F4_OTP + 32, 32), new Uint8Array(32).fill(0x55));
  });

  test('an empty locked block stays empty (locking is not only for written blocks)', () => {
    const otp = memory();
    otp.program(F4_LOCK, Uint8Array.of(0xff, 0x00, 0xff, 0xff), Infinity);
    otp.program(F4_OTP + 32, Uint8Array.of(1, 2, 3, 4), Infinity);
    assert.deepEqual(otp.read(F4_OTP + 32, 4), new Uint8Array(4).fill(0xff));
  });

  test('lock bytes AND like data; re-locking and illegal lock values are recorded', () => {
    const otp = memory();
    otp.program(F4_LOCK, Uint8Array.of(0x00, 0xf0, 0xff, 0xff), Infinity);
    otp.program(F4_LOCK, Uint8Array.of(0x00, 0xff, 0xff, 0xff), Infinity);
    assert.deepEqual(otp.read(F4_LOCK, 4), Uint8Array.of(0x00, 0xf0, 0xff, 0xff));
    assert.deepEqual(otp.damagedBytes(), [
      { area: 'lock', offsetBytes: 1, reason: 'illegal-lock-value' },
      { area: 'lock', offsetBytes: 0, reason: 'reprogrammed' },
    ]);
    assert.equal(otp.isBlockLocked(1), true, 'any cleared bit in a lock byte is treated as locked');
  });

  test('maxBytes stops the write mid-chunk and keeps the bytes before it', () => {
    const otp = memory();
    const outcome = otp.program(F4_OTP, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 5);
    assert.equal(outcome.processedBytes, 5);
    assert.deepEqual(otp.read(F4_OTP, 8), Uint8Array.of(1, 2, 3, 4, 5, 0xff, 0xff, 0xff));
  });

  test('data and lock writes are visible in snapshots, which are copies', () => {
    const otp = memory('stm32f7');
    otp.program(0x1ff0_f000, Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7), Infinity);
    const snapshot = otp.snapshot();
    assert.equal(snapshot.data.length, 1024);
    assert.equal(snapshot.lockBytes.length, 16);
    snapshot.data[0] = 0x99;
    assert.equal(otp.snapshot().data[0], 0);
  });
});

describe('OtpMemory read-only registers', () => {
  test('UID and flash-size register read back (flash size little-endian, in KB)', () => {
    const otp = memory();
    assert.deepEqual(otp.read(0x1fff_7a10, 12), UID);
    assert.deepEqual(otp.read(0x1fff_7a22, 2), Uint8Array.of(0x00, 0x04));
  });

  test('one read from OTP base covers data, lock bytes and the UID on F4', () => {
    const otp = memory();
    const bytes = otp.read(F4_OTP, 540);
    assert.deepEqual(bytes.subarray(528), UID);
  });
});

describe('OtpMemory L4 double-words', () => {
  test('a double-word is written once: a second write into it changes nothing and is recorded', () => {
    const otp = memory('stm32l4');
    otp.program(L4_OTP, Uint8Array.of(0x11, 0x22, 0x33, 0x44), Infinity);
    otp.program(L4_OTP + 4, Uint8Array.of(0x55, 0x66, 0x77, 0x88), Infinity);
    assert.deepEqual(otp.read(L4_OTP, 8), Uint8Array.of(0x11, 0x22, 0x33, 0x44, 0xff, 0xff, 0xff, 0xff));
    assert.deepEqual(
      otp.damagedBytes().map((d) => [d.offsetBytes, d.reason]),
      [4, 5, 6, 7].map((offset) => [offset, 'double-word-closed']),
    );
  });

  test('one write may fill a whole double-word, and the next double-word stays open', () => {
    const otp = memory('stm32l4');
    otp.program(L4_OTP, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), Infinity);
    otp.program(L4_OTP + 8, Uint8Array.of(9, 10, 11, 12, 13, 14, 15, 16), Infinity);
    assert.deepEqual(
      otp.read(L4_OTP, 16),
      Uint8Array.from({ length: 16 }, (_, i) => i + 1),
    );
    assert.deepEqual(otp.damagedBytes(), []);
  });

  test('writing only 0xFF leaves a double-word open; L4 has no lock bytes', () => {
    const otp = memory('stm32l4');
    otp.program(L4_OTP, new Uint8Array(8).fill(0xff), Infinity);
    otp.program(L4_OTP, Uint8Array.of(0xab, 0xff, 0xff, 0xff), Infinity);
    assert.equal(otp.read(L4_OTP, 1)[0], 0xab);
    assert.equal(otp.snapshot().lockBytes.length, 0);
    assert.equal(otp.map.locate(0x1fff_7a00), undefined);
  });
});
