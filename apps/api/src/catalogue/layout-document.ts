// The `definition` column of a stored layout: the normalized layout written back as a layout
// document (docs/layouts.md, "File format") in JSON. validateLayout reads it back to the same
// Layout, with the same digest, so services load stored layouts without the YAML parser and
// without caring how the layout was first written.
import {
  layoutDigest,
  validateLayout,
  type ChipFamily,
  type FieldSource,
  type FieldType,
  type FieldValue,
  type Generator,
  type Layout,
  type LayoutField,
} from '#ingrain/otp';
import type { JsonValue } from '../database/json.js';
import { AppError } from '../errors/app-error.js';

/** Types whose size is the layout's `length` (every other type has a fixed size). */
const SIZED_TYPES: ReadonlySet<FieldType> = new Set(['bytes', 'ascii', 'utf8']);

/** One field entry of a {@link LayoutDocument} (docs/layouts.md, "Field keys"). */
export type LayoutDocumentField = {
  name: string;
  block: number;
  offset: number;
  type: FieldType;
  length?: number;
  source: FieldSource;
  value?: FieldValue;
  generator?: Generator;
  secret?: boolean;
  description?: string;
};

/** A layout file's content as JSON (docs/layouts.md, "File format"). */
export type LayoutDocument = {
  name: string;
  version: number;
  family: ChipFamily;
  description?: string;
  fields: LayoutDocumentField[];
  lock?: number[];
};

function fieldDocument(field: LayoutField): LayoutDocumentField {
  return {
    name: field.name,
    block: field.block,
    offset: field.offsetBytes,
    type: field.type,
    ...(SIZED_TYPES.has(field.type) ? { length: field.sizeBytes } : {}),
    source: field.source,
    ...(field.source === 'constant' ? { value: field.value } : {}),
    ...(field.source === 'generated' ? { generator: field.generator } : {}),
    // Generated secrets are secret by their generator; only a secret input says so itself.
    ...(field.source === 'input' && field.secret ? { secret: true } : {}),
    ...(field.description === undefined ? {} : { description: field.description }),
  };
}

/**
 * The layout as a normalized JSON layout document: fields in OTP order, offsets inside their block,
 * constants in their normalized form (64-bit integers as decimal strings), no lock list on a family
 * without lock bytes. `validateLayout(toLayoutDocument(layout))` gives a layout with the same digest.
 */
export function toLayoutDocument(layout: Layout): LayoutDocument {
  return {
    name: layout.name,
    version: layout.version,
    family: layout.family,
    ...(layout.description === undefined ? {} : { description: layout.description }),
    fields: layout.fields.map(fieldDocument),
    ...(layout.lock.length > 0 ? { lock: [...layout.lock] } : {}),
  };
}

/** A stored layout row, as much of it as {@link loadStoredLayout} needs. */
export interface StoredLayout {
  readonly productId: string;
  readonly version: number;
  readonly definition: JsonValue;
  readonly digest: string;
}

/**
 * The Layout of a stored layout row (its `definition`), checked against the digest recorded when it
 * was added: a row that no longer yields its digest must never drive a device.
 *
 * @throws AppError LAYOUT_RECORD_INVALID when the definition no longer validates or no longer
 *   yields its digest (a corrupted row or an incompatible libs/otp change: a server fault).
 */
export function loadStoredLayout(record: StoredLayout): Layout {
  const what = `stored layout ${record.productId} v${record.version}`;
  let layout: Layout;
  try {
    layout = validateLayout(record.definition);
  } catch (error) {
    throw new AppError('LAYOUT_RECORD_INVALID', `${what} no longer validates`, { cause: error });
  }
  if (layoutDigest(layout) !== record.digest) {
    throw new AppError('LAYOUT_RECORD_INVALID', `${what} no longer matches its recorded digest`);
  }
  return layout;
}
