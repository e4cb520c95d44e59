// A layout version's inputs as JSON Schema (draft 2020-12): what an MES sends as `inputs` of a device
// request, derived from the layout alone, in this one place (GET /v1/products/{id}/layouts/{version}/
// inputs-schema). The encoders of libs/otp remain the validator (their errors name the field); this
// schema describes the same rules (types, ranges, lengths, patterns), and a test holds the two
// together at each field's bounds. Secret inputs carry `x-ingrain-secret: true`.
import type { InputField, Layout } from '#ingrain/otp';
import { IDENTITY_FIELDS } from '../identity/identity-fields.js';

type JsonSchema = Record<string, unknown>;

/** The custom keyword marking an input whose value is secret (never logged, echoed or stored in clear). */
export const SECRET_KEYWORD = 'x-ingrain-secret';

const HEX_BYTES = (sizeBytes: number) => `^(0x)?([0-9a-fA-F]{2}){${sizeBytes}}$`;
const EUI = (octets: number) => `^[0-9a-fA-F]{2}([:-]?[0-9a-fA-F]{2}){${octets - 1}}$`;

/** A value whose encoding is all 0xFF reads back as blank OTP: libs/otp refuses it (encodeFieldValue). */
const ALL_ONES = 'its encoding must not be all 0xFF bytes (blank OTP)';

function integerSchema(bits: number, signed: boolean): JsonSchema {
  const min = signed ? -(2n ** BigInt(bits - 1)) : 0n;
  // Unsigned: the largest value is all 0xFF. Signed: -1 is.
  const max = signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 2n;
  if (bits < 64) {
    const range = { type: 'integer', minimum: Number(min), maximum: Number(max) };
    return signed ? { ...range, not: { const: -1 }, description: ALL_ONES } : range;
  }
  // 64-bit: a decimal string (numbers beyond 2^53 lose precision in JSON), or a safe integer.
  return {
    anyOf: [
      { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
      { type: 'string', pattern: '^-?[0-9]+$' },
    ],
    description: `${signed ? 'signed' : 'unsigned'} 64-bit integer, ${min} to ${max}${signed ? ', not -1' : ''}`,
  };
}

/** The JSON Schema of one input field's value (the encoding rules of libs/otp's codecs). */
export function fieldValueSchema(field: Pick<InputField, 'type' | 'sizeBytes'>): JsonSchema {
  const { type, sizeBytes } = field;
  switch (type) {
    case 'u8':
    case 'u16le':
    case 'u16be':
    case 'u32le':
    case 'u32be':
    case 'u64le':
    case 'u64be':
    case 'i8':
    case 'i16le':
    case 'i16be':
    case 'i32le':
    case 'i32be':
    case 'i64le':
    case 'i64be':
      return integerSchema(sizeBytes * 8, type.startsWith('i'));
    case 'ascii':
      return { type: 'string', maxLength: sizeBytes, pattern: '^[\\x20-\\x7e]*$' };
    case 'utf8':
      return { type: 'string', description: `UTF-8 text of at most ${sizeBytes} bytes, no U+0000` };
    case 'bytes':
      return {
        type: 'string',
        pattern: HEX_BYTES(sizeBytes),
        not: { pattern: '^(0x)?([fF]{2})*$' },
        description: `${sizeBytes} bytes as hex; ${ALL_ONES}`,
      };
    case 'f32le':
    case 'f32be':
    case 'f64le':
    case 'f64be':
      return { type: 'number' };
    case 'bool':
      return { type: 'boolean' };
    case 'uuid':
      return {
        type: 'string',
        format: 'uuid',
        pattern: '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$',
        not: { pattern: '^[fF-]*$' },
        description: ALL_ONES,
      };
    case 'eui48':
      return { type: 'string', pattern: EUI(6), not: { pattern: '^[fF:-]*$' }, description: ALL_ONES };
    case 'eui64':
      return { type: 'string', pattern: EUI(8), not: { pattern: '^[fF:-]*$' }, description: ALL_ONES };
  }
}

/**
 * The inputs of `layout` as one object schema: a property per `source: input` field (with its
 * description, and `x-ingrain-secret` when secret); every one required, except identity fields
 * (the serial), which the request's `serial` fills; no other property.
 */
export function layoutInputsSchema(layout: Layout, id: string): JsonSchema {
  const inputs = layout.fields.filter((field): field is InputField => field.source === 'input');
  const properties: Record<string, JsonSchema> = {};
  for (const field of inputs) {
    properties[field.name] = {
      ...fieldValueSchema(field),
      ...(field.description === undefined ? {} : { description: field.description }),
      ...(field.secret ? { [SECRET_KEYWORD]: true } : {}),
    };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: id,
    title: `Inputs of layout ${layout.name} v${layout.version}`,
    type: 'object',
    properties,
    required: inputs.map((field) => field.name).filter((name) => !Object.hasOwn(IDENTITY_FIELDS, name)),
    additionalProperties: false,
  };
}
