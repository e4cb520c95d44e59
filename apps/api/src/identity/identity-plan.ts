// What a layout asks of identity issuance, and the generated values it gets. Pure.
import { createHash } from 'node:crypto';
import {
  BLANK_BYTE,
  ValuesValidationError,
  type GeneratedField,
  type Generator,
  type Layout,
  type LayoutField,
} from '#ingrain/otp';
import { type ByteRange } from './secret-fields.js';

/** The layout's fields sorted by what issuance must do for them. */
export interface IdentityPlan {
  readonly generated: readonly GeneratedField[];
  /** `derived-secret` fields: derived in the HSM, re-derived at claim time. */
  readonly derived: readonly GeneratedField[];
  /** Every secret field (derived, private key, secret inputs): zeroed in storage, committed to. */
  readonly secret: readonly LayoutField[];
  /** Secret fields that cannot be re-derived (device private key, secret inputs): sealed. */
  readonly sealed: readonly LayoutField[];
  /** True when the device private key must be exported (a `device-private-key` field). */
  readonly exportsPrivateKey: boolean;
}

export function planIdentity(layout: Layout): IdentityPlan {
  const generated = layout.fields.filter((field): field is GeneratedField => field.source === 'generated');
  const secret = layout.fields.filter((field) => field.secret);
  return {
    generated,
    derived: generated.filter((field) => field.generator === 'derived-secret'),
    secret,
    sealed: secret.filter((field) => !(field.source === 'generated' && field.generator === 'derived-secret')),
    exportsPrivateKey: generated.some((field) => field.generator === 'device-private-key'),
  };
}

/** Where a field lies in OTP data. */
export function rangeOf(field: LayoutField): ByteRange {
  return { offsetBytes: field.otpOffsetBytes, lengthBytes: field.sizeBytes };
}

/** A copy of a field's bytes in an image's data. */
export function fieldBytes(data: Uint8Array, field: LayoutField): Uint8Array {
  return data.slice(field.otpOffsetBytes, field.otpOffsetBytes + field.sizeBytes);
}

/**
 * SHA-256 of the 65-byte uncompressed point 04 ‖ X ‖ Y — what `device-public-key-sha256` holds
 * (docs/layouts.md, generator table): a device or auditor hashes the point it is shown and
 * compares, without parsing any DER.
 */
export function publicKeyPointSha256(point: Uint8Array): Uint8Array {
  return Uint8Array.from(createHash('sha256').update(point).digest());
}

/** What the generators are fed: the device key pair and the derived secrets by field name. */
export interface GeneratorInputs {
  readonly publicKeyPoint: Uint8Array;
  readonly privateKey: Uint8Array | undefined;
  readonly derived: ReadonlyMap<string, Uint8Array>;
}

/**
 * The value of every generated field, keyed by field name (what encodeImage takes).
 *
 * @throws Error when an input the plan needs is missing (a bug in the caller).
 */
export function generatedValues(plan: IdentityPlan, inputs: GeneratorInputs): Record<string, Uint8Array> {
  const values: Record<string, Uint8Array> = {};
  for (const field of plan.generated) values[field.name] = valueOf(field.generator, field.name, inputs);
  return values;
}

function valueOf(generator: Generator, name: string, inputs: GeneratorInputs): Uint8Array {
  switch (generator) {
    case 'device-public-key':
      return inputs.publicKeyPoint;
    case 'device-public-key-sha256':
      return publicKeyPointSha256(inputs.publicKeyPoint);
    case 'derived-secret':
      return required(inputs.derived.get(name), `derived secret for ${name}`);
    case 'device-private-key':
      return required(inputs.privateKey, 'exported device private key');
  }
}

function required(value: Uint8Array | undefined, what: string): Uint8Array {
  if (value === undefined) throw new Error(`identity issuance: missing ${what}`);
  return value;
}

/** Zero-filled stand-ins for the generated fields, to validate the inputs before any HSM work. */
export function placeholderValues(plan: IdentityPlan): Record<string, Uint8Array> {
  return Object.fromEntries(plan.generated.map((field) => [field.name, new Uint8Array(field.sizeBytes)]));
}

/**
 * Writes each generated value into `data` (an image encodeImage rendered with
 * {@link placeholderValues}), under the rules encodeImage applies to `bytes` fields — every
 * generator's type: exactly the field's size, and not all 0xFF (that would read back as blank OTP).
 * Saves rendering the image a second time.
 *
 * @throws ValuesValidationError `VALUES_INVALID` naming the field (never its value).
 */
export function writeGeneratedValues(
  data: Uint8Array,
  plan: IdentityPlan,
  values: Readonly<Record<string, Uint8Array>>,
): void {
  for (const field of plan.generated) {
    const value = values[field.name];
    if (value?.length !== field.sizeBytes || value.every((byte) => byte === BLANK_BYTE)) {
      const message = `field "${field.name}" (${field.generator}) got a generated value of the wrong size or all 0xFF`;
      throw new ValuesValidationError([{ path: field.name, message }]);
    }
    data.set(value, field.otpOffsetBytes);
  }
}

/** Purpose of a field's commitment salt in the derivation context (docs/attestation.md). */
export function saltPurpose(fieldName: string): string {
  return `attestation-salt/${fieldName}`;
}
