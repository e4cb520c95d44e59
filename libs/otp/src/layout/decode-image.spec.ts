import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OtpImageError } from '../image/errors.js';
import { blankState } from '../image/image-helpers.js';
import { STM32F4 } from '../profiles/index.js';
import { decodeImage } from './decode-image.js';
import { encodeImage } from './encode-image.js';
import { layoutDoc } from './testing/layout-fixtures.js';
import { validateLayout } from './validate-layout.js';

const layout = validateLayout(
  layoutDoc([
    { name: 'serial', block: 0, offset: 0, type: 'ascii', length: 8, source: 'input' },
    { name: 'count', block: 0, offset: 8, type: 'u16le', source: 'input' },
    { name: 'ok', block: 0, offset: 10, type: 'bool', source: 'input' },
    { name: 'id', block: 0, offset: 16, type: 'uuid', source: 'input' },
    { name: 'pin', block: 1, offset: 0, type: 'ascii', length: 8, source: 'input', secret: true },
    { name: 'key', block: 2, offset: 0, type: 'bytes', length: 16, source: 'generated', generator: 'derived-secret' },
  ]),
);
const VALUES = {
  serial: 'SN-7',
  count: 0xff,
  ok: true,
  id: '0190f3a2-7c1e-7b4d-9a55-3e2f1c0d9b8a',
  pin: '2468',
  key: '00112233445566778899aabbccddeeff',
};

function byName(fields: ReturnType<typeof decodeImage>, name: string) {
  const field = fields.find((f) => f.name === name);
  assert.ok(field, `no field ${name}`);
  return field;
}

describe('decodeImage', () => {
  test('a blank device: every field blank, no values', () => {
    const fields = decodeImage(layout, blankState(STM32F4).data);
    assert.ok(fields.every((f) => f.state === 'blank' && f.value === null && f.problem === undefined));
    assert.equal(byName(fields, 'serial').hex, 'ff'.repeat(8));
  });

  test('reads back what encodeImage wrote, redacting secrets by default', () => {
    const fields = decodeImage(layout, encodeImage(layout, VALUES).data);
    const shown = Object.fromEntries(fields.map((f) => [f.name, [f.state, f.value, f.redacted]]));
    assert.deepEqual(shown, {
      serial: ['programmed', 'SN-7', false],
      count: ['programmed', 255, false],
      ok: ['programmed', true, false],
      id: ['programmed', VALUES.id, false],
      pin: ['programmed', null, true],
      key: ['programmed', null, true],
    });
    assert.equal(byName(fields, 'pin').hex, null);
    assert.ok(!JSON.stringify(fields).includes('2468') && !JSON.stringify(fields).includes('00112233'));
    assert.equal(byName(fields, 'count').address, 0x1fff7808);
  });

  test('reveals secrets only when asked', () => {
    const fields = decodeImage(layout, encodeImage(layout, VALUES).data, { revealSecrets: true });
    assert.equal(byName(fields, 'pin').value, '2468');
    assert.equal(byName(fields, 'key').hex, VALUES.key);
    assert.equal(byName(fields, 'key').redacted, false);
  });

  test('a text field with blank bytes left is partial', () => {
    const data = encodeImage(layout, VALUES).data;
    data[5] = 0xff;
    const serial = byName(decodeImage(layout, data), 'serial');
    assert.equal(serial.state, 'partial');
    assert.equal(serial.value, null);
    assert.match(serial.problem ?? '', /1 of 8 bytes are still blank/);
  });

  test('a numeric field may hold 0xFF bytes and still be programmed', () => {
    const count = byName(decodeImage(layout, encodeImage(layout, VALUES).data), 'count');
    assert.deepEqual([count.state, count.hex], ['programmed', 'ff00']);
  });

  test('bytes that are not a valid encoding are reported, without the bytes', () => {
    const data = encodeImage(layout, VALUES).data;
    data[10] = 0x02;
    data[32] = 0x07; // secret pin: not printable
    const fields = decodeImage(layout, data);
    assert.deepEqual([byName(fields, 'ok').state, byName(fields, 'ok').value], ['programmed', null]);
    assert.match(byName(fields, 'ok').problem ?? '', /neither 0x01/);
    assert.equal(byName(fields, 'pin').problem, undefined, 'no problem text for a redacted field');
  });

  test('refuses data of the wrong size', () => {
    assert.throws(() => decodeImage(layout, new Uint8Array(528)), OtpImageError);
  });
});
