// The difference between what a quarantined chip holds and what it should hold, by layout field:
// computed from the layout, the stored target image (secret fields zeroed) and the byte differences
// recorded with the quarantine (the station's read-back compared with the target; the station
// masks secret bytes, so they are never in it). Secret fields: a status only, never bytes or values.
import { decodeImage, type DecodedField, type FieldValue, type Layout } from '#ingrain/otp';

/** One recorded difference (results/report-records.ts): data/lock bytes, or the chip's identity. */
export interface RecordedDiff {
  readonly region: string;
  readonly offsetBytes: number;
  readonly expected: number | string;
  readonly actual: number | string;
}

export interface RecordedQuarantine {
  readonly reason: string;
  readonly diff: readonly RecordedDiff[];
  readonly omittedDiffs: number;
}

export type FieldStatus = 'same' | 'differs' | 'not-compared';

export interface FieldDifference {
  readonly name: string;
  readonly type: string;
  readonly secret: boolean;
  readonly otpOffsetBytes: number;
  readonly sizeBytes: number;
  readonly status: FieldStatus;
  readonly differingBytes: number;
  /** Null for secret fields. */
  readonly targetHex: string | null;
  readonly targetValue: FieldValue | null;
  /** What the chip holds; null for secret fields and when not compared. */
  readonly chipHex: string | null;
  readonly chipValue: FieldValue | null;
}

export interface ByteDifference {
  readonly offsetBytes: number;
  readonly target: number;
  readonly chip: number;
}

export interface FieldDifferences {
  readonly identity: { readonly what: string; readonly expected: string; readonly actual: string }[];
  readonly fields: FieldDifference[];
  /** Differing data bytes outside every field (e.g. a stray write to blank OTP). */
  readonly outsideFields: ByteDifference[];
  readonly lockBytes: { readonly block: number; readonly target: number; readonly chip: number }[];
  /** False when the recorded differences were cut short (their count is bounded). */
  readonly complete: boolean;
  readonly omittedDiffs: number;
}

const byteValue = (value: number | string): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255 ? value : undefined;

/** The chip's data as far as the record tells: the target with every recorded data byte applied. */
function chipImage(target: Uint8Array, dataDiffs: readonly RecordedDiff[]): Uint8Array {
  const chip = target.slice();
  for (const entry of dataDiffs) {
    const actual = byteValue(entry.actual);
    if (actual !== undefined && entry.offsetBytes >= 0 && entry.offsetBytes < chip.length)
      chip[entry.offsetBytes] = actual;
  }
  return chip;
}

function fieldDifference(
  target: DecodedField,
  chip: DecodedField,
  otpOffsetBytes: number,
  differing: number,
  knownUpTo: number,
): FieldDifference {
  const end = otpOffsetBytes + target.sizeBytes;
  const known = end <= knownUpTo;
  let status: FieldStatus = differing > 0 ? 'differs' : known ? 'same' : 'not-compared';
  // Secret bytes are masked by the station before they leave it: never compared here.
  if (target.secret && differing === 0) status = 'not-compared';
  const showChip = !target.secret && (known || differing > 0);
  return {
    name: target.name,
    type: target.type,
    secret: target.secret,
    otpOffsetBytes,
    sizeBytes: target.sizeBytes,
    status,
    differingBytes: differing,
    targetHex: target.secret ? null : target.hex,
    targetValue: target.secret ? null : target.value,
    chipHex: showChip && known ? chip.hex : null,
    chipValue: showChip && known ? chip.value : null,
  };
}

/**
 * The difference by field. `target` is the stored image (secret fields zeroed), `recorded` the
 * quarantine's differences. When differences were omitted (bounded record), fields past the last
 * recorded data byte are `not-compared` rather than guessed `same`.
 */
export function fieldDifferences(layout: Layout, target: Uint8Array, recorded: RecordedQuarantine): FieldDifferences {
  const dataDiffs = recorded.diff.filter((entry) => entry.region === 'data');
  const complete = recorded.omittedDiffs === 0;
  const knownUpTo = complete ? target.length : (dataDiffs.at(-1)?.offsetBytes ?? -1) + 1;
  const targetFields = decodeImage(layout, target);
  const chipFields = decodeImage(layout, chipImage(target, dataDiffs));
  const covered = new Set<number>();
  const fields = layout.fields.map((field, i) => {
    for (let b = field.otpOffsetBytes; b < field.otpOffsetBytes + field.sizeBytes; b++) covered.add(b);
    const differing = dataDiffs.filter(
      (entry) =>
        entry.offsetBytes >= field.otpOffsetBytes && entry.offsetBytes < field.otpOffsetBytes + field.sizeBytes,
    ).length;
    return fieldDifference(targetFields[i]!, chipFields[i]!, field.otpOffsetBytes, differing, knownUpTo);
  });
  return {
    identity: recorded.diff
      .filter((entry) => entry.region !== 'data' && entry.region !== 'lock')
      .map((entry) => ({ what: entry.region, expected: String(entry.expected), actual: String(entry.actual) })),
    fields,
    outsideFields: dataDiffs
      .filter((entry) => !covered.has(entry.offsetBytes))
      .map((entry) => ({
        offsetBytes: entry.offsetBytes,
        target: byteValue(entry.expected) ?? 0,
        chip: byteValue(entry.actual) ?? 0,
      })),
    lockBytes: recorded.diff
      .filter((entry) => entry.region === 'lock')
      .map((entry) => ({
        block: entry.offsetBytes,
        target: byteValue(entry.expected) ?? 0,
        chip: byteValue(entry.actual) ?? 0,
      })),
    complete,
    omittedDiffs: recorded.omittedDiffs,
  };
}
