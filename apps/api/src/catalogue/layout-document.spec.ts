import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { layoutDigest, parseLayout, validateLayout } from '#ingrain/otp';
import { REPO_ROOT } from '../../../../testkit/paths.js';
import { AppError } from '../errors/app-error.js';
import { ERROR_CATALOGUE } from '../errors/error-catalogue.js';
import { loadStoredLayout, toLayoutDocument } from './layout-document.js';

/** Every kind of key a layout may hold: all sources, sized and fixed types, secrets, descriptions. */
const RICH_LAYOUT = `
name: rich.layout_1
version: 3
family: stm32f4
description: every kind of field
fields:
  - { name: serial, block: 0, offset: 0, type: ascii, length: 12, source: input, description: label }
  - { name: big, block: 0, offset: 12, type: u64le, source: constant, value: 18446744073709551614 }
  - { name: neg, block: 0, offset: 20, type: i64be, source: constant, value: -9007199254740993 }
  - { name: ratio, block: 0, offset: 28, type: f32le, source: constant, value: 0.1 }
  - { name: magic, block: 1, offset: 0, type: bytes, length: 4, source: constant, value: "DEADBEEF" }
  - { name: title, block: 1, offset: 4, type: utf8, length: 12, source: constant, value: "Grün" }
  - { name: flag, block: 1, offset: 16, type: bool, source: constant, value: true }
  - { name: pin, block: 1, offset: 20, type: ascii, length: 8, source: input, secret: true }
  - { name: key_hash, block: 2, offset: 0, type: bytes, length: 32, source: generated, generator: device-public-key-sha256 }
  - { name: pairing, block: 3, offset: 0, type: bytes, length: 16, source: generated, generator: derived-secret }
  - { name: mac, block: 3, offset: 16, type: eui48, source: input }
lock: [3, 0, 1, 2]
`;

const L4_LAYOUT = `
name: l4
version: 1
family: stm32l4
fields:
  - { name: id, block: 0, offset: 0, type: uuid, source: input }
  - { name: model, block: 0, offset: 16, type: u16be, source: constant, value: 0x0102 }
`;

function assertRoundTrip(text: string): void {
  const layout = parseLayout(text);
  const document = toLayoutDocument(layout);
  // Through JSON, as the jsonb column stores it.
  const reread = validateLayout(JSON.parse(JSON.stringify(document)));
  assert.equal(layoutDigest(reread), layoutDigest(layout));
  assert.deepEqual(reread, layout);
}

describe('toLayoutDocument', () => {
  test('reads back to the same layout and digest, whatever kind of field', () => {
    assertRoundTrip(RICH_LAYOUT);
    assertRoundTrip(L4_LAYOUT);
  });

  test('the example layouts round-trip', async () => {
    for (const name of ['sensor-node', 'gateway-f7']) {
      assertRoundTrip(await readFile(join(REPO_ROOT, 'examples/layouts', `${name}.yaml`), 'utf8'));
    }
  });

  test('writes fields in OTP order, secrets only on inputs, no lock list on stm32l4', () => {
    const document = toLayoutDocument(parseLayout(RICH_LAYOUT));
    assert.deepEqual(document.lock, [0, 1, 2, 3]);
    assert.equal(document.fields.find((field) => field.name === 'pin')?.secret, true);
    assert.equal(document.fields.find((field) => field.name === 'pairing')?.secret, undefined);
    assert.equal(document.fields.find((field) => field.name === 'big')?.value, '18446744073709551614');
    assert.equal(toLayoutDocument(parseLayout(L4_LAYOUT)).lock, undefined);
  });

  test('property: constants of every numeric type survive the round trip', () => {
    const layoutWith = (u64: bigint, i32: number, f64: number, f32: number) => `{
      "name": "p", "version": 1, "family": "stm32f7",
      "fields": [
        { "name": "a", "block": 0, "offset": 0, "type": "u64be", "source": "constant", "value": "${u64}" },
        { "name": "b", "block": 0, "offset": 8, "type": "i32le", "source": "constant", "value": ${i32} },
        { "name": "c", "block": 0, "offset": 16, "type": "f64le", "source": "constant", "value": ${JSON.stringify(f64)} },
        { "name": "d", "block": 0, "offset": 24, "type": "f32be", "source": "constant", "value": ${JSON.stringify(f32)} }
      ]
    }`;
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 2n }),
        // -1 would encode to ff ff ff ff: a constant that reads as blank OTP is refused by design.
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).filter((value) => value !== -1),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.float({ noNaN: true, noDefaultInfinity: true }),
        (u64, i32, f64, f32) => assertRoundTrip(layoutWith(u64, i32, f64, f32)),
      ),
    );
  });
});

describe('loadStoredLayout', () => {
  const layout = parseLayout(RICH_LAYOUT);
  const record = { productId: 'p', version: 3, definition: toLayoutDocument(layout), digest: layoutDigest(layout) };

  test('returns the layout of a row whose definition yields its digest', () => {
    assert.equal(layoutDigest(loadStoredLayout(record)), record.digest);
  });

  test('refuses a row whose definition changed, or no longer validates', () => {
    const moved = { ...record.definition, lock: [0, 1, 2] };
    for (const definition of [moved, { ...record.definition, family: 'stm32x9' }]) {
      assert.throws(
        () => loadStoredLayout({ ...record, definition }),
        (error: unknown) =>
          error instanceof AppError &&
          error.code === 'LAYOUT_RECORD_INVALID' &&
          ERROR_CATALOGUE[error.code].status === 500,
      );
    }
  });
});
