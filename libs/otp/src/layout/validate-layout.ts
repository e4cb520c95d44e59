import { type z } from 'zod';
import { type ChipFamily } from '../profiles/device-profile.js';
import { getProfile } from '../profiles/index.js';
import { LayoutValidationError } from './errors.js';
import { checkField, fieldLabel, type FieldSpec } from './rules/field-rules.js';
import { IssueCollector } from './rules/issues.js';
import { checkLocks } from './rules/lock-rules.js';
import { blocksTouched, type PlacedField, placeFields } from './rules/placement-rules.js';
import { DOCUMENT_KEYS, documentSchemas } from './rules/schema.js';
import { type Layout, type LayoutField } from './types.js';

interface Header {
  readonly name?: string;
  readonly version?: number;
  readonly family?: ChipFamily;
  readonly description?: string;
  readonly fields: readonly unknown[];
  readonly lock: readonly number[];
}

/**
 * Validates an already parsed layout document (for example a JSON body) and returns the
 * normalized, deeply frozen Layout. Every rule of docs/layouts.md is checked before anything
 * touches a device.
 *
 * @throws LayoutValidationError (`LAYOUT_INVALID`) listing every issue found, each with the path
 *   of the offending key and a message naming the field.
 */
export function validateLayout(raw: unknown): Layout {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new LayoutValidationError([{ path: '', message: 'a layout must be a mapping/object' }]);
  }
  const issues = new IssueCollector();
  const header = parseHeader(raw as Record<string, unknown>, issues);
  const specs = header.fields
    .map((field, index) => checkField(field, index, issues))
    .filter((spec): spec is FieldSpec => spec !== undefined);
  checkDuplicateNames(header.fields, issues);
  const profile = header.family === undefined ? undefined : getProfile(header.family);
  const placed = profile === undefined ? [] : placeFields(specs, profile, header.lock, issues);
  const spanned = profile === undefined ? [] : specs.flatMap((spec) => blocksTouched(spec, profile));
  const lock = checkLocks(header.lock, profile, new Set([...declaredBlocks(header.fields), ...spanned]), issues);
  if (!issues.empty || profile === undefined || header.name === undefined || header.version === undefined) {
    throw new LayoutValidationError(issues.issues);
  }
  return freezeLayout({
    name: header.name,
    version: header.version,
    family: profile.family,
    profile,
    ...(header.description === undefined ? {} : { description: header.description }),
    fields: placed.map(toLayoutField),
    lock,
  });
}

function parseHeader(raw: Record<string, unknown>, issues: IssueCollector): Header {
  for (const key of Object.keys(raw)) {
    if (!(DOCUMENT_KEYS as readonly string[]).includes(key)) issues.add(key, `unknown key "${key}"`);
  }
  const parse = <T>(key: (typeof DOCUMENT_KEYS)[number], schema: z.ZodType<T>): T | undefined => {
    const result = schema.safeParse(raw[key]);
    if (result.success) return result.data;
    issues.addZod(result.error, key);
    return undefined;
  };
  return {
    name: parse('name', documentSchemas.name),
    version: parse('version', documentSchemas.version),
    family: parse('family', documentSchemas.family),
    description: parse('description', documentSchemas.description),
    fields: parse('fields', documentSchemas.fields) ?? [],
    lock: parse('lock', documentSchemas.lock) ?? [],
  };
}

function checkDuplicateNames(fields: readonly unknown[], issues: IssueCollector): void {
  const firstIndex = new Map<string, number>();
  fields.forEach((field, index) => {
    const name = (field as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return;
    const first = firstIndex.get(name);
    if (first === undefined) firstIndex.set(name, index);
    else
      issues.add(
        `fields[${index}].name`,
        `${fieldLabel(field, index)} is defined more than once (first at fields[${first}])`,
      );
  });
}

/**
 * Blocks named by any field entry, valid or not: lock-rules uses them (with the blocks a valid
 * field spans) to avoid a second report.
 */
function declaredBlocks(fields: readonly unknown[]): Set<number> {
  const blocks = new Set<number>();
  for (const field of fields) {
    const block = (field as { block?: unknown } | null)?.block;
    if (typeof block === 'number') blocks.add(block);
  }
  return blocks;
}

function toLayoutField(field: PlacedField): LayoutField {
  return {
    name: field.name,
    type: field.type,
    block: field.block,
    offsetBytes: field.offsetBytes,
    otpOffsetBytes: field.otpOffsetBytes,
    address: field.address,
    sizeBytes: field.sizeBytes,
    secret: field.secret,
    ...(field.description === undefined ? {} : { description: field.description }),
    ...field.origin,
  };
}

function freezeLayout(layout: Layout): Layout {
  for (const field of layout.fields) Object.freeze(field);
  Object.freeze(layout.fields);
  Object.freeze(layout.lock);
  return Object.freeze(layout);
}
