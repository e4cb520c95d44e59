// A conflict in the operator's terms: by layout field (`serial: chip holds "…", target "…"`), with
// bytes only for what no field covers. Secret fields are named, never shown.
import {
  type CycleResult,
  decodeImage,
  type DecodedField,
  type Layout,
  type OtpImage,
  type PlanConflict,
} from '#ingrain/otp';

/** One layout field the chip holds differently from the target. */
export interface FieldConflictJson {
  readonly field: string;
  readonly block: number;
  /** The chip's value as text (a JSON value, or hex when it does not decode); null for a secret field. */
  readonly chip: string | null;
  readonly target: string | null;
  /** How many of the field's bytes conflict. */
  readonly conflictingBytes: number;
}

function shown(field: DecodedField | undefined): string | null {
  if (field === undefined || field.redacted) return null;
  if (field.value !== null) return JSON.stringify(field.value);
  return field.hex === null ? null : `bytes ${field.hex} (${field.state})`;
}

/** Conflicts by field, and the indexes (into `result.conflicts`) of those no field covers. */
export interface FieldConflictView {
  readonly fields: readonly FieldConflictJson[];
  readonly uncovered: readonly number[];
}

/**
 * The byte conflicts of `result` grouped by the layout field they fall in. Returns undefined
 * without a layout or without a confirmed read; `uncovered` are the conflicts no field covers (and
 * every conflict that is not about a byte: locks).
 */
export function fieldConflicts(
  result: CycleResult,
  target: OtpImage,
  layout: Layout | undefined,
): FieldConflictView | undefined {
  if (layout === undefined || result.otpData === undefined || result.conflicts.length === 0) return undefined;
  const chip = decodeImage(layout, result.otpData);
  const wanted = decodeImage(layout, target.data);
  const fields: FieldConflictJson[] = [];
  const covered = new Set<PlanConflict>();
  for (const [index, field] of layout.fields.entries()) {
    const inField = result.conflicts.filter(
      (c) =>
        c.reason === 'byte-conflict' &&
        c.offsetBytes >= field.otpOffsetBytes &&
        c.offsetBytes < field.otpOffsetBytes + field.sizeBytes,
    );
    if (inField.length === 0) continue;
    inField.forEach((c) => covered.add(c));
    fields.push({
      field: field.name,
      block: field.block,
      chip: shown(chip[index]),
      target: shown(wanted[index]),
      conflictingBytes: inField.length,
    });
  }
  const uncovered = result.conflicts.flatMap((c, index) => (covered.has(c) ? [] : [index]));
  return { fields, uncovered };
}

/** `serial: chip holds "SN-1", target "SN-2" (3 bytes conflict)`. */
export function fieldConflictLine(c: FieldConflictJson): string {
  const chip = c.chip ?? '(secret)';
  const target = c.target ?? '(secret)';
  return `${c.field}: chip holds ${chip}, target ${target} (block ${c.block}, ${c.conflictingBytes} byte(s) conflict)`;
}
