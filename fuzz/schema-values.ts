// Values generated from a JSON Schema of the OpenAPI document: a valid one (so a request gets past
// validation and reaches the service), and hostile variants of one place in it.
import { randomUUID } from 'node:crypto';
import type { JsonSchema } from '../testkit/openapi-operations.js';
import { boundaryNumber, oddKey, oddString, wrongTypeValue } from './odd-values.js';
import type { Prng } from './prng.js';

/** Real values for fields by name (productId, chipUid, …): a valid value uses them when it can. */
export type Hints = Readonly<Record<string, readonly unknown[]>>;

const str = (schema: JsonSchema, keyword: string): string | undefined =>
  typeof schema[keyword] === 'string' ? schema[keyword] : undefined;
const num = (schema: JsonSchema, keyword: string): number | undefined =>
  typeof schema[keyword] === 'number' ? schema[keyword] : undefined;

export function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
  return (schema['properties'] as Record<string, JsonSchema> | undefined) ?? {};
}

export function requiredOf(schema: JsonSchema): string[] {
  return (schema['required'] as string[] | undefined) ?? [];
}

function branches(schema: JsonSchema): JsonSchema[] | undefined {
  return (schema['anyOf'] ?? schema['oneOf']) as JsonSchema[] | undefined;
}

function typeOf(schema: JsonSchema): string | undefined {
  const type = schema['type'];
  return Array.isArray(type) ? (type[0] as string) : (type as string | undefined);
}

function matches(pattern: string | undefined, text: string): boolean {
  if (pattern === undefined) return true;
  try {
    return new RegExp(pattern, 'u').test(text);
  } catch {
    return new RegExp(pattern).test(text);
  }
}

const hex = (prng: Prng, bytes: number) =>
  Array.from({ length: bytes }, () => prng.int(0, 255).toString(16).padStart(2, '0')).join('');

/** A string the schema accepts: tried from a few shapes until one matches the pattern. */
function validString(schema: JsonSchema, prng: Prng): string {
  const format = str(schema, 'format');
  if (format === 'uuid') return randomUuid(prng);
  if (format === 'date-time') return new Date(Date.UTC(2026, 0, 1) + prng.int(0, 1e10)).toISOString();
  const pattern = str(schema, 'pattern');
  const minLength = num(schema, 'minLength') ?? 1;
  const maxLength = num(schema, 'maxLength') ?? 64;
  const candidates = [
    `fuzz-${prng.int(0, 1e6)}`,
    hex(prng, prng.int(1, 16)),
    `${prng.int(1, 9)}`,
    `E_${prng.int(0, 999)}`,
    new Date(Date.UTC(2026, 0, 1) + prng.int(0, 1e10)).toISOString(),
    `fuzz value ${prng.int(0, 999)}`,
    '',
  ];
  for (const candidate of candidates) {
    const sized = candidate.length < minLength ? candidate.padEnd(minLength, '0') : candidate.slice(0, maxLength);
    if (matches(pattern, sized)) return sized;
  }
  return 'x'.repeat(Math.max(minLength, 1));
}

function randomUuid(prng: Prng): string {
  const digits = hex(prng, 16);
  return `${digits.slice(0, 8)}-${digits.slice(8, 12)}-4${digits.slice(13, 16)}-a${digits.slice(17, 20)}-${digits.slice(20, 32)}`;
}

/** A value `schema` accepts (roughly: its types, enums, bounds and patterns), using `hints` by name. */
export function validValue(schema: JsonSchema, prng: Prng, hints: Hints = {}, name?: string): unknown {
  const hinted = name === undefined ? undefined : hints[name];
  if (hinted !== undefined && hinted.length > 0 && prng.chance(0.9)) return prng.pick(hinted);
  const options = branches(schema);
  if (options !== undefined) return validValue(prng.pick(options), prng, hints, name);
  const values =
    (schema['enum'] as unknown[] | undefined) ?? (schema['const'] === undefined ? undefined : [schema['const']]);
  if (values !== undefined) return prng.pick(values);
  const type: string = typeOf(schema) ?? 'any';
  switch (type) {
    case 'string':
      return validString(schema, prng);
    case 'integer':
      return prng.int(Math.max(num(schema, 'minimum') ?? 0, 0), Math.min(num(schema, 'maximum') ?? 1000, 1000));
    case 'number':
      return Math.min(num(schema, 'maximum') ?? 1000, prng.next() * 1000);
    case 'boolean':
      return prng.chance(0.5);
    case 'null':
      return null;
    case 'array': {
      const items = (schema['items'] as JsonSchema | undefined) ?? {};
      return Array.from({ length: prng.int(num(schema, 'minItems') ?? 0, 3) }, () => validValue(items, prng, hints));
    }
    case 'object': {
      const result: Record<string, unknown> = {};
      const required = requiredOf(schema);
      for (const [key, property] of Object.entries(propertiesOf(schema))) {
        if (required.includes(key) || prng.chance(0.5)) result[key] = validValue(property, prng, hints, key);
      }
      return result;
    }
    default:
      return prng.pick([1, 'fuzz', true, null]);
  }
}

/** A value that breaks `schema`: a wrong type, an odd string, a number at or past a bound, … */
export function invalidValue(schema: JsonSchema, prng: Prng): unknown {
  const type = typeOf(schema) ?? typeOf(branches(schema)?.[0] ?? {});
  const roll = prng.next();
  if (roll < 0.3) return wrongTypeValue(prng);
  if (type === 'integer' || type === 'number') {
    return boundaryNumber(prng, num(schema, 'minimum'), num(schema, 'maximum'));
  }
  if (type === 'string') {
    const maxLength = num(schema, 'maxLength');
    if (maxLength !== undefined && prng.chance(0.2)) return 'a'.repeat(maxLength + 1);
    const minLength = num(schema, 'minLength');
    if (minLength !== undefined && minLength > 0 && prng.chance(0.1)) return 'a'.repeat(minLength - 1);
    if (str(schema, 'format') === 'uuid' && prng.chance(0.3)) return randomUUID().toUpperCase().replace(/-/g, '');
    return oddString(prng);
  }
  if (type === 'object') {
    const result: Record<string, unknown> = {};
    for (let index = prng.int(1, 4); index > 0; index--) result[oddKey(prng)] = wrongTypeValue(prng);
    return result;
  }
  if (type === 'array') return Array.from({ length: prng.int(0, 2000) }, () => wrongTypeValue(prng));
  return wrongTypeValue(prng);
}
