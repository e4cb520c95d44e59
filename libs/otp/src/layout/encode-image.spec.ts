import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeImage } from './encode-image.js';
import { ValuesValidationError } from './errors.js';
import { REDACTED, redactValues } from './redact.js';
import { layoutDoc } from './testing/layout-fixtures.js';
import { validateLayout } from './validate-layout.js';

const layout = validateLayout(
  layoutDoc(
    [
      { name: 'serial', block: 0, offset: 0, type: 'ascii', length: 8, source: 'input' },
      { name: 'rev', block: 0, offset: 8, type: 'u16be', source: 'constant', value: 0x0102 },
      { name: 'count', block: 0, offset: 12, type: 'u32le', source: 'input' },
      { name: 'pin', block: 1, offset: 0, type: 'ascii', length: 8, source: 'input', secret: true },
      {
        name: 'hash',
        block: 2,
        offset: 0,
        type: 'bytes',
        length: 32,
        source: 'generated',
        generator: 'device-public-key-sha256',
      },
      {
        name: 'key',
        block: 3,
        offset: 0,
        type: 'bytes',
        length: 32,
        source: 'generated',
        generator: 'device-private-key',
      },
    ],
    { lock: [0, 2] },
  ),
);

const HASH = 'ab'.repeat(32);
const KEY = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const VALUES = { serial: 'SN1', count: 0x01020304, pin: '1234', hash: HASH, key: KEY };

function issuesOf(values: Record<string, unknown>): { path: string; message: string }[] {
  try {
    encodeImage(layout, values);
  } catch (error) {
    assert.ok(error instanceof ValuesValidationError);
    assert.equal(error.code, 'VALUES_INVALID');
    return [...error.issues];
  }
  return assert.fail('values were accepted');
}

describe('encodeImage', () => {
  test('places every field at its offset, 0xFF elsewhere, with the layout locks', () => {
    const image = encodeImage(layout, VALUES);
    assert.equal(image.family, 'stm32f4');
    assert.deepEqual([...image.data.subarray(0, 16)], [0x53, 0x4e, 0x31, 0, 0, 0, 0, 0, 1, 2, 0xff, 0xff, 4, 3, 2, 1]);
    assert.deepEqual([...image.data.subarray(32, 40)], [0x31, 0x32, 0x33, 0x34, 0, 0, 0, 0]);
    assert.deepEqual([...image.data.subarray(64, 96)], Array<number>(32).fill(0xab));
    assert.deepEqual([...image.data.subarray(96, 128)], [...KEY]);
    assert.ok(image.data.subarray(128).every((b) => b === 0xff));
    assert.deepEqual(image.lockedBlocks, [0, 2]);
  });

  test('reports missing inputs and generated values', () => {
    const issues = issuesOf({ serial: 'SN1' });
    assert.deepEqual(
      issues.map((i) => i.path),
      ['count', 'pin', 'hash', 'key'],
    );
    assert.match(issues[0]?.message ?? '', /field "count" \(u32le\) is missing/);
    assert.match(issues[2]?.message ?? '', /field "hash" needs its generated value \(device-public-key-sha256\)/);
  });

  test('quotes unknown names safely', () => {
    const issues = issuesOf({ ...VALUES, 'evil\nline': 1 });
    assert.equal(issues[0]?.message, 'field "evil\\nline" is not in layout test-layout v1');
  });

  test('reports values for unknown fields and for constants', () => {
    const issues = issuesOf({ ...VALUES, colour: 'red', rev: 3 });
    assert.deepEqual(issues, [
      { path: 'colour', message: 'field "colour" is not in layout test-layout v1' },
      { path: 'rev', message: 'field "rev" is a constant of the layout: do not supply a value' },
    ]);
  });

  test('reports wrong types, ranges and lengths, naming each field', () => {
    const issues = issuesOf({ ...VALUES, serial: 'SERIAL-TOO-LONG', count: -1, hash: 'abcd' });
    assert.deepEqual(
      issues.map((i) => [i.path, /field "(\w+)"/.exec(i.message)?.[1]]),
      [
        ['serial', 'serial'],
        ['count', 'count'],
        ['hash', 'hash'],
      ],
    );
  });

  test('never echoes a value, secret or not', () => {
    const secretPin = 'PIN-NEVER-SHOWN';
    const secretKey = 'c0ffee'.repeat(5);
    const issues = issuesOf({ ...VALUES, pin: secretPin, key: secretKey, serial: 'SERIAL-VISIBLE?' });
    const text = JSON.stringify(issues);
    for (const value of [secretPin, secretKey, 'c0ffee', 'SERIAL-VISIBLE']) assert.ok(!text.includes(value));
    try {
      encodeImage(layout, { ...VALUES, pin: secretPin });
    } catch (error) {
      assert.ok(error instanceof Error && !error.message.includes(secretPin));
    }
  });

  test('does not read values from the object prototype', () => {
    const withProto = validateLayout(
      layoutDoc([{ name: 'constructor', block: 0, offset: 0, type: 'u8', source: 'input' }]),
    );
    assert.throws(() => encodeImage(withProto, {}), { code: 'VALUES_INVALID' });
  });

  test('refuses values that are not an object', () => {
    assert.throws(() => encodeImage(layout, null as unknown as Record<string, unknown>), ValuesValidationError);
    assert.throws(() => encodeImage(layout, [] as unknown as Record<string, unknown>), ValuesValidationError);
  });
});

describe('redactValues', () => {
  test('replaces secret and unknown values, keeps the others', () => {
    assert.deepEqual(redactValues(layout, { ...VALUES, extra: 'x' }), {
      serial: 'SN1',
      count: 0x01020304,
      pin: REDACTED,
      hash: HASH,
      key: REDACTED,
      extra: REDACTED,
    });
  });
});
