import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Opcode } from './an3155.js';
import {
  encodeAddress,
  encodeCommand,
  encodeReadLength,
  encodeWriteData,
  splitTransfers,
  xorChecksum,
} from './frames.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('AN3155 frame encoders', () => {
  test('commands are opcode + complement (docs/hardware.md §commands byte sequences)', () => {
    assert.equal(hex(encodeCommand(Opcode.GET)), '00ff');
    assert.equal(hex(encodeCommand(Opcode.GET_VERSION)), '01fe');
    assert.equal(hex(encodeCommand(Opcode.GET_ID)), '02fd');
    assert.equal(hex(encodeCommand(Opcode.READ_MEMORY)), '11ee');
    assert.equal(hex(encodeCommand(Opcode.WRITE_MEMORY)), '31ce');
  });

  test('addresses are MSB first with the XOR of the four bytes', () => {
    assert.equal(hex(encodeAddress(0x0800_0000)), '0800000008');
    // 0x1F ^ 0xFF ^ 0x78 ^ 0x00 = 0x98
    assert.equal(hex(encodeAddress(0x1fff_7800)), '1fff780098');
    assert.equal(hex(encodeAddress(0x1fff_7a10)), '1fff7a108a');
    assert.equal(hex(encodeAddress(0xffff_ffff)), 'ffffffff00');
  });

  test('read length is N = length − 1 and its complement', () => {
    assert.equal(hex(encodeReadLength(1)), '00ff');
    assert.equal(hex(encodeReadLength(16)), '0ff0');
    assert.equal(hex(encodeReadLength(256)), 'ff00');
  });

  test('write data block is N, the data, then N XOR the data', () => {
    // 03 ^ 01 ^ 02 ^ 03 ^ 04 = 07
    assert.equal(hex(encodeWriteData(Uint8Array.of(1, 2, 3, 4))), '030102030407');
    // 256 × 0xFF: N = 0xFF, XOR of an even count of 0xFF is 0 → checksum 0xFF
    const block = encodeWriteData(new Uint8Array(256).fill(0xff));
    assert.equal(block.length, 258);
    assert.equal(block[0], 0xff);
    assert.equal(block[257], 0xff);
  });

  test('xorChecksum folds a seed and masks to a byte', () => {
    assert.equal(xorChecksum([]), 0);
    assert.equal(xorChecksum([0x1f, 0xff, 0x78, 0x00]), 0x98);
    assert.equal(xorChecksum([0x01], 0x03), 0x02);
  });

  test('transfers split into pieces of at most 256 bytes', () => {
    assert.deepEqual(splitTransfers(0x1fff_7800, 528), [
      { address: 0x1fff_7800, lengthBytes: 256 },
      { address: 0x1fff_7900, lengthBytes: 256 },
      { address: 0x1fff_7a00, lengthBytes: 16 },
    ]);
    assert.deepEqual(splitTransfers(0x100, 256), [{ address: 0x100, lengthBytes: 256 }]);
    assert.deepEqual(splitTransfers(0x100, 12), [{ address: 0x100, lengthBytes: 12 }]);
  });
});
