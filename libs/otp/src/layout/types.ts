import { type ChipFamily, type DeviceProfile } from '../profiles/device-profile.js';

/** Every field type a layout may use. docs/layouts.md describes each encoding. */
export const FIELD_TYPES = [
  'bytes',
  'ascii',
  'utf8',
  'u8',
  'u16le',
  'u16be',
  'u32le',
  'u32be',
  'u64le',
  'u64be',
  'i8',
  'i16le',
  'i16be',
  'i32le',
  'i32be',
  'i64le',
  'i64be',
  'f32le',
  'f32be',
  'f64le',
  'f64be',
  'bool',
  'uuid',
  'eui48',
  'eui64',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Where a field's value comes from. */
export const FIELD_SOURCES = ['input', 'constant', 'generated'] as const;
export type FieldSource = (typeof FIELD_SOURCES)[number];

/** Values the provisioning service computes (with the HSM) for `source: generated` fields. */
export const GENERATORS = [
  'device-public-key',
  'device-public-key-sha256',
  'derived-secret',
  'device-private-key',
] as const;
export type Generator = (typeof GENERATORS)[number];

/**
 * A value in its JSON-friendly form: integers up to 32 bits and floats as numbers, 64-bit integers
 * as decimal strings, bytes as lower-case hex, uuid/eui as canonical strings, bool as boolean.
 */
export type FieldValue = string | number | boolean;

interface LayoutFieldBase {
  readonly name: string;
  readonly type: FieldType;
  /** Block of the field's first byte; a field may run on into the next blocks (docs/layouts.md). */
  readonly block: number;
  /** Offset of the field's first byte inside its block, as written in the layout. */
  readonly offsetBytes: number;
  /** Offset of the field's first byte from OTP data byte 0: block × blockSizeBytes + offsetBytes. */
  readonly otpOffsetBytes: number;
  /** Memory address of the field's first byte. */
  readonly address: number;
  readonly sizeBytes: number;
  /** True when the value must never be shown, logged or echoed (see docs/layouts.md). */
  readonly secret: boolean;
  readonly description?: string;
}

/** A value supplied per device by the MES. */
export interface InputField extends LayoutFieldBase {
  readonly source: 'input';
}

/** A value fixed by the layout, identical on every device. Never secret. */
export interface ConstantField extends LayoutFieldBase {
  readonly source: 'constant';
  /** The normalized value: what decodeImage reads back from a device holding it. */
  readonly value: FieldValue;
}

/** A value the provisioning service computes per device. */
export interface GeneratedField extends LayoutFieldBase {
  readonly source: 'generated';
  readonly generator: Generator;
}

export type LayoutField = InputField | ConstantField | GeneratedField;

/**
 * A validated, normalized and deeply frozen OTP data map. Only validateLayout/parseLayout make
 * one, so holding a Layout means: every field lies inside the profile's OTP, a field spanning
 * blocks has all of them locked or none, no two fields overlap (or share an L4 double-word), every
 * constant encodes, every locked block holds (part of) a field.
 */
export interface Layout {
  readonly name: string;
  readonly version: number;
  readonly family: ChipFamily;
  readonly profile: DeviceProfile;
  readonly description?: string;
  /** Sorted by otpOffsetBytes. */
  readonly fields: readonly LayoutField[];
  /** Blocks to lock after their data is verified: sorted, distinct. Empty on families without lock bytes. */
  readonly lock: readonly number[];
}
