// The dry run of a layout (POST /v1/products/{id}/layouts/{version}/render): sample input values →
// the OTP image a device would hold, field by field. Pure: nothing stored, no HSM work.
import { maskSecretFields } from '#ingrain/crypto';
import {
  decodeImage,
  encodeImage,
  stateFromImage,
  type DecodedField,
  type GeneratedField,
  type Layout,
} from '#ingrain/otp';
import { AppError } from '../errors/app-error.js';

/** One field of a rendered sample: decodeImage's view, plus whether its value is a placeholder. */
export interface RenderedField extends DecodedField {
  /** True for a generated field: its bytes are the placeholder pattern, not a real value. */
  readonly placeholder: boolean;
}

export interface RenderedSample {
  /** Every OTP data byte (0xFF where no field is), secret fields' bytes set to 0x00. */
  readonly data: Uint8Array;
  readonly lockedBlocks: readonly number[];
  /** One byte per block as a provisioned device reads back: 0x00 locked, 0xFF open; empty on L4. */
  readonly lockBytes: Uint8Array;
  readonly fields: readonly RenderedField[];
}

/**
 * The deterministic stand-in for a generated value: bytes 00 01 02 … (wrapping at 0xFF) over the
 * field's size. Recognizable in a hex dump, shows the field's extent and byte order, and never all
 * 0xFF, so it encodes under the rules of real generated values.
 */
export function placeholderBytes(sizeBytes: number): Uint8Array {
  return Uint8Array.from({ length: sizeBytes }, (_, index) => index & 0xff);
}

function assertNoGeneratedValues(generated: readonly GeneratedField[], values: Readonly<Record<string, unknown>>) {
  const offending = generated.filter((field) => Object.hasOwn(values, field.name));
  if (offending.length === 0) return;
  throw new AppError('IDENTITY_INPUT_INVALID', 'values must not set generated fields: the service generates them', {
    errors: offending.map((field) => ({
      path: `body.values.${field.name}`,
      message: `field "${field.name}" is generated (${field.generator}): remove it from the values`,
    })),
  });
}

/**
 * Renders `values` (the layout's input fields, in their JSON forms) into the image a device would
 * hold, generated fields filled with {@link placeholderBytes}. Secret fields — generated secrets and
 * secret inputs — come back as 0x00 bytes and redacted in `fields`: a response never carries a
 * secret, not even a sample one.
 *
 * @throws AppError `IDENTITY_INPUT_INVALID` when `values` names a generated field;
 *   ValuesValidationError `VALUES_INVALID` (libs/otp) for values that do not fit the layout.
 */
export function renderSample(layout: Layout, values: Readonly<Record<string, unknown>>): RenderedSample {
  const generated = layout.fields.filter((field): field is GeneratedField => field.source === 'generated');
  assertNoGeneratedValues(generated, values);
  const placeholders = Object.fromEntries(generated.map((field) => [field.name, placeholderBytes(field.sizeBytes)]));
  const image = encodeImage(layout, { ...values, ...placeholders });
  const secretRanges = layout.fields
    .filter((field) => field.secret)
    .map((field) => ({ offsetBytes: field.otpOffsetBytes, lengthBytes: field.sizeBytes }));
  const data = maskSecretFields(image.data, secretRanges);
  image.data.fill(0); // held the secret sample inputs
  const { lockBytes } = stateFromImage(layout.profile, { ...image, data });
  const fields = decodeImage(layout, data).map((field) => ({ ...field, placeholder: field.source === 'generated' }));
  return { data, lockedBlocks: image.lockedBlocks, lockBytes, fields };
}
