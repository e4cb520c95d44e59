import { bytesToHex } from '#ingrain/encoding';
import { BLANK_BYTE } from '../image/otp-image.js';
import { OtpImageError } from '../image/errors.js';
import { otpSizeBytes } from '../profiles/device-profile.js';
import { FIELD_CODECS } from './codecs/registry.js';
import { type FieldSource, type FieldType, type FieldValue, type Layout, type LayoutField } from './types.js';

/**
 * What a field's bytes show. `blank`: every byte 0xFF. `partial`: some bytes still 0xFF in a type
 * whose complete encoding never holds 0xFF (text, bool), or bytes that do not decode while some are
 * 0xFF. `programmed`: anything else. A numeric, bytes or uuid field can hold 0xFF bytes legitimately,
 * so for those an interrupted write can only be told from a complete one by comparing with the
 * target image (which is what the planner and the read-back verification do).
 */
export type FieldState = 'blank' | 'programmed' | 'partial';

/** One field as read from a device or image. */
export interface DecodedField {
  readonly name: string;
  readonly type: FieldType;
  readonly source: FieldSource;
  readonly block: number;
  readonly offsetBytes: number;
  readonly address: number;
  readonly sizeBytes: number;
  readonly secret: boolean;
  readonly state: FieldState;
  /** The decoded value; null when blank, partial, undecodable or redacted. */
  readonly value: FieldValue | null;
  /** The raw bytes as hex; null when redacted. */
  readonly hex: string | null;
  /** True when `value` and `hex` are withheld because the field is secret. */
  readonly redacted: boolean;
  /** Why a non-blank field has no value (never contains the bytes); absent when redacted. */
  readonly problem?: string;
}

export interface DecodeOptions {
  /** Show secret fields' values and bytes. Only for a holder of the secrets; default false. */
  readonly revealSecrets?: boolean;
}

/**
 * Reads every field of `layout` out of an OTP data dump (all otpSizeBytes of it, byte 0 first).
 * Secret fields come back with `value` and `hex` null and `redacted` true unless
 * `revealSecrets` is set; their state is always shown.
 *
 * @throws OtpImageError (`IMAGE_INVALID`) when `data` is not exactly the layout's OTP size.
 */
export function decodeImage(layout: Layout, data: Uint8Array, options: DecodeOptions = {}): DecodedField[] {
  const expected = otpSizeBytes(layout.profile);
  if (data.length !== expected) {
    throw new OtpImageError(`data has ${data.length} bytes; ${layout.family} OTP has ${expected}`);
  }
  return layout.fields.map((field) => decodeField(field, data, options.revealSecrets === true));
}

function decodeField(field: LayoutField, data: Uint8Array, reveal: boolean): DecodedField {
  const bytes = data.slice(field.otpOffsetBytes, field.otpOffsetBytes + field.sizeBytes);
  const reading = readField(field, bytes);
  const redacted = field.secret && !reveal;
  return {
    name: field.name,
    type: field.type,
    source: field.source,
    block: field.block,
    offsetBytes: field.offsetBytes,
    address: field.address,
    sizeBytes: field.sizeBytes,
    secret: field.secret,
    state: reading.state,
    value: redacted ? null : reading.value,
    hex: redacted ? null : bytesToHex(bytes),
    redacted,
    ...(redacted || reading.problem === undefined ? {} : { problem: reading.problem }),
  };
}

interface Reading {
  readonly state: FieldState;
  readonly value: FieldValue | null;
  readonly problem?: string;
}

function readField(field: LayoutField, bytes: Uint8Array): Reading {
  const blankBytes = bytes.filter((b) => b === BLANK_BYTE).length;
  if (blankBytes === bytes.length) return { state: 'blank', value: null };
  const codec = FIELD_CODECS[field.type];
  if (blankBytes > 0 && !codec.blankByteIsValid) {
    return { state: 'partial', value: null, problem: `${blankBytes} of ${bytes.length} bytes are still blank (0xFF)` };
  }
  const result = codec.decode(bytes);
  if (result.ok) return { state: 'programmed', value: result.value };
  return { state: blankBytes > 0 ? 'partial' : 'programmed', value: null, problem: `the bytes ${result.reason}` };
}
