import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex, hexToBytes } from './hex.js';

test('bytesToHex writes lower-case pairs, respecting subarray views', () => {
  const bytes = Uint8Array.of(0, 0xab, 0x0f, 0x10);
  assert.equal(bytesToHex(bytes), '00ab0f10');
  assert.equal(bytesToHex(bytes.subarray(1, 3)), 'ab0f');
});

test('hexToBytes accepts any case and an optional 0x, refuses anything else', () => {
  assert.deepEqual(hexToBytes('0xABcd'), Uint8Array.of(0xab, 0xcd));
  assert.deepEqual(hexToBytes(''), new Uint8Array(0));
  assert.deepEqual(hexToBytes('0x'), new Uint8Array(0));
  for (const bad of ['abc', 'zz', 'ab cd', '-1', '0xf']) assert.equal(hexToBytes(bad), undefined, bad);
});
