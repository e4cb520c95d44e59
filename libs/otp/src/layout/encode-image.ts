import { BLANK_BYTE, type OtpImage } from '../image/otp-image.js';
import { otpSizeBytes } from '../profiles/device-profile.js';
import { encodeFieldValue } from './codecs/registry.js';
import { type ValidationIssue, ValuesValidationError } from './errors.js';
import { type Layout, type LayoutField } from './types.js';

/**
 * Renders the OTP image one device must hold: every field's bytes at its offset, 0xFF elsewhere,
 * and the layout's lock list. `values` maps field names to values for every input and generated
 * field (see docs/layouts.md for each type's JSON form); constants come from the layout.
 *
 * @throws ValuesValidationError (`VALUES_INVALID`) listing every issue: a missing value, a value
 *   for an unknown or constant field, or a value of the wrong type, range or length. Messages name
 *   the field and never contain a value.
 */
export function encodeImage(layout: Layout, values: Readonly<Record<string, unknown>>): OtpImage {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new ValuesValidationError([{ path: '', message: 'device values must be an object keyed by field name' }]);
  }
  const issues: ValidationIssue[] = [...findStrayValues(layout, values)];
  const data = new Uint8Array(otpSizeBytes(layout.profile)).fill(BLANK_BYTE);
  for (const field of layout.fields) {
    const value = field.source === 'constant' ? field.value : ownValue(values, field.name);
    if (value === undefined) {
      issues.push({ path: field.name, message: missingMessage(field) });
      continue;
    }
    const result = encodeFieldValue(field.type, field.sizeBytes, value);
    if (result.ok) data.set(result.bytes, field.otpOffsetBytes);
    else issues.push({ path: field.name, message: `field "${field.name}" (${field.type}) ${result.reason}` });
  }
  if (issues.length > 0) throw new ValuesValidationError(issues);
  return { family: layout.family, data, lockedBlocks: layout.lock };
}

function findStrayValues(layout: Layout, values: Readonly<Record<string, unknown>>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const name of Object.keys(values)) {
    const field = layout.fields.find((f) => f.name === name);
    if (field === undefined) {
      // The name comes from outside: quote it as JSON (no control characters) and bound its length.
      const shown = JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
      issues.push({ path: name, message: `field ${shown} is not in layout ${layout.name} v${layout.version}` });
    } else if (field.source === 'constant') {
      issues.push({ path: name, message: `field "${name}" is a constant of the layout: do not supply a value` });
    }
  }
  return issues;
}

function ownValue(values: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(values, name) ? values[name] : undefined;
}

function missingMessage(field: LayoutField): string {
  return field.source === 'generated'
    ? `field "${field.name}" needs its generated value (${field.generator}) from the provisioning service`
    : `field "${field.name}" (${field.type}) is missing`;
}
