import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseLayout, ValuesValidationError } from '#ingrain/otp';
import { bytesToHex } from '#ingrain/encoding';
import { AppError } from '../errors/app-error.js';
import { placeholderBytes, renderSample } from './render-sample.js';

const LAYOUT = parseLayout(`
name: r
version: 1
family: stm32f4
fields:
  - { name: serial, block: 0, offset: 0, type: ascii, length: 16, source: input }
  - { name: gain, block: 0, offset: 16, type: f32le, source: input }
  - { name: rev, block: 0, offset: 20, type: u16le, source: constant, value: 7 }
  - { name: pin, block: 0, offset: 24, type: ascii, length: 8, source: input, secret: true }
  - { name: key_hash, block: 1, offset: 0, type: bytes, length: 32, source: generated, generator: device-public-key-sha256 }
  - { name: pairing, block: 2, offset: 0, type: bytes, length: 16, source: generated, generator: derived-secret }
lock: [0, 1, 2]
`);
const VALUES = { serial: 'SN-1', gain: 1.5, pin: '73918264' };

const field = (result: ReturnType<typeof renderSample>, name: string) => {
  const found = result.fields.find((entry) => entry.name === name);
  assert.ok(found, name);
  return found;
};

describe('renderSample', () => {
  test('encodes the sample values: the image decodes back to them', () => {
    const result = renderSample(LAYOUT, VALUES);
    assert.equal(field(result, 'serial').value, 'SN-1');
    assert.equal(field(result, 'gain').value, 1.5);
    assert.equal(field(result, 'rev').value, 7);
    assert.equal(bytesToHex(result.data.subarray(0, 4)), '534e2d31');
    assert.equal(result.data.length, 512);
    assert.ok(
      result.data.subarray(96).every((byte) => byte === 0xff),
      'unused OTP stays blank',
    );
  });

  test('fills generated fields with the placeholder pattern 00 01 02 …', () => {
    const result = renderSample(LAYOUT, VALUES);
    assert.deepEqual(placeholderBytes(3), Uint8Array.of(0, 1, 2));
    assert.equal(placeholderBytes(300)[256], 0);
    const keyHash = field(result, 'key_hash');
    assert.equal(keyHash.placeholder, true);
    assert.equal(keyHash.hex, bytesToHex(placeholderBytes(32)));
    assert.equal(field(result, 'serial').placeholder, false);
  });

  test('zeroes and redacts every secret field, sample or placeholder', () => {
    const result = renderSample(LAYOUT, VALUES);
    for (const name of ['pin', 'pairing']) {
      const secret = field(result, name);
      assert.equal(secret.redacted, true);
      assert.equal(secret.value, null);
      assert.equal(secret.hex, null);
    }
    assert.ok(result.data.subarray(24, 32).every((byte) => byte === 0));
    assert.ok(result.data.subarray(64, 80).every((byte) => byte === 0));
    const pinHex = Buffer.from(VALUES.pin).toString('hex');
    assert.ok(!bytesToHex(result.data).includes(pinHex));
    assert.ok(!JSON.stringify(result.fields).includes(VALUES.pin));
  });

  test('returns the lock bytes a provisioned device reads back', () => {
    const result = renderSample(LAYOUT, VALUES);
    assert.deepEqual(result.lockedBlocks, [0, 1, 2]);
    assert.equal(bytesToHex(result.lockBytes), '000000' + 'ff'.repeat(13));
  });

  test('refuses a value for a generated field, naming it', () => {
    assert.throws(
      () => renderSample(LAYOUT, { ...VALUES, key_hash: '00'.repeat(32) }),
      (error: unknown) =>
        error instanceof AppError &&
        error.code === 'IDENTITY_INPUT_INVALID' &&
        error.errors[0]?.path === 'body.values.key_hash',
    );
  });

  test('refuses values that do not fit the layout, naming each field', () => {
    assert.throws(
      () => renderSample(LAYOUT, { serial: 'x'.repeat(17), gain: 'loud' }),
      (error: unknown) =>
        error instanceof ValuesValidationError &&
        ['gain', 'pin', 'serial'].every((name) => error.issues.some((issue) => issue.path === name)),
    );
  });
});
