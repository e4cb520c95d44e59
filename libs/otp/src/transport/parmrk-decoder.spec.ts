import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ParmrkDecoder } from './parmrk-decoder.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('ParmrkDecoder', () => {
  test('plain bytes pass; FF FF is one data byte 0xFF', () => {
    const decoded = new ParmrkDecoder().decode(bytes(0x79, 0xff, 0xff, 0x1f));
    assert.deepEqual(decoded.bytes, bytes(0x79, 0xff, 0x1f));
    assert.equal(decoded.flagged, undefined);
  });

  test('FF 00 x flags a parity or framing error; the bytes around it are kept with its position', () => {
    const decoded = new ParmrkDecoder().decode(bytes(0x79, 0xff, 0x00, 0x42, 0x01));
    assert.equal(decoded.flagged, 'parity-or-framing');
    assert.equal(decoded.flaggedAt, 1);
    assert.deepEqual(decoded.bytes, bytes(0x79, 0x01)); // the flagged byte's value is dropped
  });

  test('FF 00 00 is a BREAK; escapes split across chunks are decoded', () => {
    const decoder = new ParmrkDecoder();
    assert.deepEqual(decoder.decode(bytes(0x01, 0xff)).bytes, bytes(0x01));
    const second = decoder.decode(bytes(0x00));
    assert.equal(second.flagged, undefined);
    const third = decoder.decode(bytes(0x00, 0x02));
    assert.equal(third.flagged, 'break');
    assert.deepEqual(third.bytes, bytes(0x02));
    assert.deepEqual(decoder.decode(bytes(0xff)).bytes, bytes());
    assert.deepEqual(decoder.decode(bytes(0xff)).bytes, bytes(0xff));
  });
});
