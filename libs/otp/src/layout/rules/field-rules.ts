import { FIELD_CODECS, encodeFieldValue, isFieldType } from '../codecs/registry.js';
import { GENERATOR_SPECS } from '../generators.js';
import {
  FIELD_TYPES,
  GENERATORS,
  type FieldSource,
  type FieldType,
  type FieldValue,
  type Generator,
} from '../types.js';
import { type IssueCollector } from './issues.js';
import { type RawField, rawFieldSchema } from './schema.js';

/** A field whose own entry is valid; its placement on the profile is checked separately. */
export interface FieldSpec {
  readonly index: number;
  readonly name: string;
  readonly type: FieldType;
  readonly block: number;
  readonly offsetBytes: number;
  readonly sizeBytes: number;
  readonly origin: FieldOrigin;
  readonly secret: boolean;
  readonly description?: string;
}

/** Where a valid field's value comes from, with what that source needs. */
export type FieldOrigin =
  | { readonly source: 'input' }
  | { readonly source: 'constant'; readonly value: FieldValue }
  | { readonly source: 'generated'; readonly generator: Generator };

interface FieldContext {
  readonly path: string;
  readonly prefix: string;
  readonly issues: IssueCollector;
}

/** A readable label for messages: the field's name when it has one, else its position. */
export function fieldLabel(raw: unknown, index: number): string {
  const name = typeof raw === 'object' && raw !== null ? (raw as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name !== '' ? `field "${name}"` : `field #${index}`;
}

/**
 * Checks one field entry on its own (shape, type, length, source rules, constant value).
 * Returns the field when it is valid, undefined after adding its issues.
 */
export function checkField(raw: unknown, index: number, issues: IssueCollector): FieldSpec | undefined {
  const ctx: FieldContext = { path: `fields[${index}]`, prefix: `${fieldLabel(raw, index)}: `, issues };
  const parsed = rawFieldSchema.safeParse(raw);
  if (!parsed.success) {
    issues.addZod(parsed.error, ctx.path, ctx.prefix);
    return undefined;
  }
  const field = parsed.data;
  if (!isFieldType(field.type)) {
    issues.add(
      `${ctx.path}.type`,
      `${ctx.prefix}unknown type "${field.type}" (known types: ${FIELD_TYPES.join(', ')})`,
    );
    return undefined;
  }
  const before = issues.issues.length;
  const sizeBytes = checkLength(field, field.type, ctx);
  const generator = checkSource(field, field.type, sizeBytes, ctx);
  const secret = checkSecret(field, generator, ctx);
  const value = sizeBytes === undefined ? undefined : checkConstant(field, field.type, sizeBytes, ctx);
  const origin = originOf(field.source, generator, value);
  if (issues.issues.length > before || sizeBytes === undefined || origin === undefined) return undefined;
  return {
    index,
    name: field.name,
    type: field.type,
    block: field.block,
    offsetBytes: field.offset,
    sizeBytes,
    origin,
    secret,
    ...(field.description === undefined ? {} : { description: field.description }),
  };
}

function originOf(source: FieldSource, generator?: Generator, value?: FieldValue): FieldOrigin | undefined {
  switch (source) {
    case 'input':
      return { source };
    case 'constant':
      return value === undefined ? undefined : { source, value };
    case 'generated':
      return generator === undefined ? undefined : { source, generator };
  }
}

function checkLength(field: RawField, type: FieldType, ctx: FieldContext): number | undefined {
  const fixed = FIELD_CODECS[type].fixedSizeBytes;
  if (fixed === null && field.length === undefined) {
    ctx.issues.add(`${ctx.path}.length`, `${ctx.prefix}length is required for type ${type}`);
    return undefined;
  }
  if (fixed !== null && field.length !== undefined) {
    const size = `${fixed} byte${fixed === 1 ? '' : 's'}`;
    ctx.issues.add(`${ctx.path}.length`, `${ctx.prefix}length is not allowed for type ${type} (always ${size})`);
  }
  return fixed ?? field.length;
}

function checkSource(
  field: RawField,
  type: FieldType,
  sizeBytes: number | undefined,
  ctx: FieldContext,
): Generator | undefined {
  if (field.source !== 'constant' && field.value !== undefined) {
    ctx.issues.add(`${ctx.path}.value`, `${ctx.prefix}value is only allowed when source is constant`);
  }
  if (field.source === 'constant' && field.value === undefined) {
    ctx.issues.add(`${ctx.path}.value`, `${ctx.prefix}a constant field needs a value`);
  }
  if (field.source !== 'generated') {
    if (field.generator !== undefined) {
      ctx.issues.add(`${ctx.path}.generator`, `${ctx.prefix}generator is only allowed when source is generated`);
    }
    return undefined;
  }
  if (field.generator === undefined) {
    ctx.issues.add(
      `${ctx.path}.generator`,
      `${ctx.prefix}a generated field needs a generator (${GENERATORS.join(', ')})`,
    );
    return undefined;
  }
  return checkGenerator(field.generator, type, sizeBytes, ctx);
}

function checkGenerator(
  name: string,
  type: FieldType,
  sizeBytes: number | undefined,
  ctx: FieldContext,
): Generator | undefined {
  const generator = GENERATORS.find((g) => g === name);
  if (generator === undefined) {
    ctx.issues.add(
      `${ctx.path}.generator`,
      `${ctx.prefix}unknown generator "${name}" (known: ${GENERATORS.join(', ')})`,
    );
    return undefined;
  }
  const spec = GENERATOR_SPECS[generator];
  if (type !== 'bytes') {
    ctx.issues.add(`${ctx.path}.type`, `${ctx.prefix}generator ${generator} needs type bytes, not ${type}`);
  } else if (spec.sizeBytes !== null && sizeBytes !== undefined && sizeBytes !== spec.sizeBytes) {
    ctx.issues.add(
      `${ctx.path}.length`,
      `${ctx.prefix}generator ${generator} produces ${spec.sizeBytes} bytes: length must be ${spec.sizeBytes}`,
    );
  } else if (sizeBytes !== undefined && sizeBytes < spec.minSizeBytes) {
    ctx.issues.add(
      `${ctx.path}.length`,
      `${ctx.prefix}generator ${generator} needs a length of at least ${spec.minSizeBytes} bytes (128 bits)`,
    );
  }
  return generator;
}

function checkSecret(field: RawField, generator: Generator | undefined, ctx: FieldContext): boolean {
  const alwaysSecret = generator !== undefined && GENERATOR_SPECS[generator].secret;
  if (alwaysSecret && field.secret === false) {
    ctx.issues.add(
      `${ctx.path}.secret`,
      `${ctx.prefix}generator ${generator} is always secret: remove "secret: false"`,
    );
  }
  if (field.source === 'constant' && field.secret === true) {
    ctx.issues.add(
      `${ctx.path}.secret`,
      `${ctx.prefix}a constant cannot be secret (it is written in the layout file): use an input or a derived-secret`,
    );
  }
  return alwaysSecret || field.secret === true;
}

function checkConstant(field: RawField, type: FieldType, sizeBytes: number, ctx: FieldContext): FieldValue | undefined {
  if (field.source !== 'constant' || field.value === undefined) return undefined;
  const result = encodeFieldValue(type, sizeBytes, field.value);
  if (!result.ok) {
    ctx.issues.add(`${ctx.path}.value`, `${ctx.prefix}value ${result.reason}`);
    return undefined;
  }
  const normalized = FIELD_CODECS[type].decode(result.bytes);
  if (!normalized.ok) ctx.issues.add(`${ctx.path}.value`, `${ctx.prefix}value ${normalized.reason}`);
  return normalized.ok ? normalized.value : undefined;
}
