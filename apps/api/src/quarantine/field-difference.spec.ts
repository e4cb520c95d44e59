import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseLayout } from '#ingrain/otp';
import { fieldDifferences, type RecordedDiff } from './field-difference.js';

const layout = parseLayout(
  [
    'name: unit',
    'version: 1',
    'family: stm32f4',
    'fields:',
    '  - { name: serial, block: 0, offset: 0, type: ascii, length: 8, source: input }',
    '  - { name: gain, block: 0, offset: 8, type: u16le, source: input }',
    '  - { name: pin, block: 1, offset: 0, type: ascii, length: 8, source: input, secret: true }',
    'lock: [0, 1]',
    '',
  ].join('\n'),
);

/** The F4 OTP (512 bytes), blank, with `serial` = "SN000001", gain = 0x1234, the secret zeroed. */
function target(): Uint8Array {
  const data = new Uint8Array(512).fill(0xff);
  data.set(new TextEncoder().encode('SN000001'), 0);
  data.set([0x34, 0x12], 8);
  data.fill(0x00, 32, 40);
  return data;
}

const data = (offsetBytes: number, expected: number, actual: number): RecordedDiff => ({
  region: 'data',
  offsetBytes,
  expected,
  actual,
});

describe('fieldDifferences', () => {
  test('names the field that differs, with target and chip values; the others are the same', () => {
    const result = fieldDifferences(layout, target(), {
      reason: 'station-conflict',
      diff: [data(8, 0x34, 0x00), data(9, 0x12, 0x00), data(100, 0xff, 0x00)],
      omittedDiffs: 0,
    });
    const byName = Object.fromEntries(result.fields.map((field) => [field.name, field]));
    assert.deepEqual(
      {
        status: byName['gain']?.status,
        bytes: byName['gain']?.differingBytes,
        target: byName['gain']?.targetValue,
        chip: byName['gain']?.chipValue,
      },
      { status: 'differs', bytes: 2, target: 0x1234, chip: 0 },
    );
    assert.equal(byName['gain']?.chipHex, '0000');
    assert.equal(byName['serial']?.status, 'same');
    assert.equal(byName['serial']?.chipValue, 'SN000001');
    assert.deepEqual(result.outsideFields, [{ offsetBytes: 100, target: 0xff, chip: 0 }]);
    assert.equal(result.complete, true);
  });

  test('a secret field is never shown by value or bytes, only as a status', () => {
    const result = fieldDifferences(layout, target(), { reason: 'readback-mismatch', diff: [], omittedDiffs: 0 });
    const pin = result.fields.find((field) => field.name === 'pin');
    assert.deepEqual(
      {
        status: pin?.status,
        targetHex: pin?.targetHex,
        targetValue: pin?.targetValue,
        chipHex: pin?.chipHex,
        chipValue: pin?.chipValue,
      },
      { status: 'not-compared', targetHex: null, targetValue: null, chipHex: null, chipValue: null },
    );
  });

  test('identity and lock differences are reported apart; a cut-short record leaves later fields not compared', () => {
    const result = fieldDifferences(layout, target(), {
      reason: 'identity-mismatch',
      diff: [
        { region: 'chip-uid', offsetBytes: 0, expected: 'aa', actual: 'bb' },
        data(0, 0x53, 0x58),
        { region: 'lock', offsetBytes: 1, expected: 0x00, actual: 0xff },
      ],
      omittedDiffs: 3,
    });
    assert.deepEqual(result.identity, [{ what: 'chip-uid', expected: 'aa', actual: 'bb' }]);
    assert.deepEqual(result.lockBytes, [{ block: 1, target: 0x00, chip: 0xff }]);
    const statuses = result.fields.map((field) => [field.name, field.status]);
    assert.deepEqual(statuses, [
      ['serial', 'differs'],
      ['gain', 'not-compared'],
      ['pin', 'not-compared'],
    ]);
    assert.equal(result.complete, false);
  });
});
