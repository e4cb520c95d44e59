import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseLayout } from '#ingrain/otp';
import { fieldValueSchema, layoutInputsSchema, SECRET_KEYWORD } from './inputs-schema.js';

const LAYOUT = parseLayout(
  [
    'name: unit',
    'version: 2',
    'family: stm32f4',
    'fields:',
    '  - { name: serial, block: 0, offset: 0, type: ascii, length: 8, source: input }',
    '  - { name: pin, block: 0, offset: 8, type: u16le, source: input, secret: true, description: Service PIN }',
    '  - { name: trim, block: 0, offset: 10, type: i8, source: input }',
    '  - { name: key, block: 1, offset: 0, type: bytes, length: 16, source: generated, generator: derived-secret, secret: true }',
    'lock: [0, 1]',
    '',
  ].join('\n'),
);

describe('layoutInputsSchema', () => {
  test('one property per input field (generated ones left out); secret inputs marked; the serial optional', () => {
    const schema = layoutInputsSchema(LAYOUT, '/x') as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
    };
    assert.deepEqual(Object.keys(schema.properties), ['serial', 'pin', 'trim']);
    assert.deepEqual(schema.properties['pin'], {
      type: 'integer',
      minimum: 0,
      maximum: 65534,
      description: 'Service PIN',
      [SECRET_KEYWORD]: true,
    });
    assert.equal(schema.properties['serial']?.[SECRET_KEYWORD], undefined);
    assert.deepEqual(schema.required, ['pin', 'trim']);
  });

  test('ranges leave out the all-0xFF encoding; 64-bit integers may be decimal strings', () => {
    assert.deepEqual(fieldValueSchema({ type: 'u8', sizeBytes: 1 }), { type: 'integer', minimum: 0, maximum: 254 });
    assert.deepEqual(fieldValueSchema({ type: 'i8', sizeBytes: 1 }), {
      type: 'integer',
      minimum: -128,
      maximum: 127,
      not: { const: -1 },
      description: 'its encoding must not be all 0xFF bytes (blank OTP)',
    });
    assert.ok(JSON.stringify(fieldValueSchema({ type: 'u64le', sizeBytes: 8 })).includes('"type":"string"'));
    assert.deepEqual(fieldValueSchema({ type: 'ascii', sizeBytes: 4 }), {
      type: 'string',
      maxLength: 4,
      pattern: '^[\\x20-\\x7e]*$',
    });
  });
});
