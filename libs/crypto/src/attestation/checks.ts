import { hexToBytes } from '#ingrain/encoding';
import { sha256Hex } from '../encoding/index.js';
import { type Attestation, type AttestedSecretField } from './attestation.js';
import { AttestationError, type AttestationErrorCode, type AttestationIssue } from './errors.js';
import { ATTESTATION_FORMAT_VERSION, SECRET_MASK_BYTE } from './format.js';
import { attestationV1Schema, zodIssues } from './schema.js';

/**
 * Problems with a list of secret field ranges over `dataLengthBytes` bytes: each must lie inside
 * the data, names must be unique, and ranges sorted by offset without overlap.
 */
export function secretFieldLayoutIssues(
  fields: readonly Pick<AttestedSecretField, 'name' | 'offsetBytes' | 'lengthBytes'>[],
  dataLengthBytes: number,
  pathPrefix: string,
): AttestationIssue[] {
  const issues: AttestationIssue[] = [];
  const names = new Set<string>();
  let previousEnd = 0;
  fields.forEach((field, index) => {
    const path = `${pathPrefix}[${index}]`;
    if (names.has(field.name)) issues.push({ path: `${path}.name`, message: `duplicate secret field ${field.name}` });
    names.add(field.name);
    if (field.offsetBytes + field.lengthBytes > dataLengthBytes)
      issues.push({ path, message: `secret field ${field.name} ends past the OTP data` });
    if (field.offsetBytes < previousEnd)
      issues.push({ path, message: `secret field ${field.name} overlaps or is out of offset order` });
    previousEnd = Math.max(previousEnd, field.offsetBytes + field.lengthBytes);
  });
  return issues;
}

/** Names of the secret fields whose bytes in `data` are not all the mask byte. */
export function unmaskedSecretFields(data: Uint8Array, fields: readonly AttestedSecretField[]): string[] {
  return fields
    .filter((f) => data.subarray(f.offsetBytes, f.offsetBytes + f.lengthBytes).some((b) => b !== SECRET_MASK_BYTE))
    .map((f) => f.name);
}

function fail(code: AttestationErrorCode, message: string, issues: readonly AttestationIssue[] = []): never {
  throw new AttestationError(code, message, { issues });
}

/**
 * The cross-field rules of a v1 attestation: digests match the hex they cover, secret fields lie
 * inside the data without overlap, and every secret field's bytes are masked.
 * @throws AttestationError ATTESTATION_MALFORMED, or ATTESTATION_SECRET_BYTES_PRESENT naming the fields.
 */
export function checkAttestationConsistency(attestation: Attestation): void {
  const { otp } = attestation;
  const data = hexToBytes(otp.dataHex);
  const issues = secretFieldLayoutIssues(otp.secretFields, data.length, 'otp.secretFields');
  if (sha256Hex(data) !== otp.dataSha256)
    issues.push({ path: 'otp.dataSha256', message: 'is not the SHA-256 of otp.dataHex' });
  if (sha256Hex(hexToBytes(otp.lockBytesHex)) !== otp.lockBytesSha256) {
    issues.push({ path: 'otp.lockBytesSha256', message: 'is not the SHA-256 of otp.lockBytesHex' });
  }
  if (issues.length > 0)
    fail('ATTESTATION_MALFORMED', `attestation is inconsistent: ${issues.map((i) => i.path).join(', ')}`, issues);
  const unmasked = unmaskedSecretFields(data, otp.secretFields);
  if (unmasked.length > 0) {
    fail('ATTESTATION_SECRET_BYTES_PRESENT', `secret field bytes are not masked: ${unmasked.join(', ')}`);
  }
}

/**
 * Validates an untrusted value as a v1 attestation: field schema (strict: unknown keys rejected),
 * then the cross-field rules of {@link checkAttestationConsistency}.
 * @throws AttestationError ATTESTATION_UNSUPPORTED_VERSION for another formatVersion,
 * ATTESTATION_MALFORMED (with issues) or ATTESTATION_SECRET_BYTES_PRESENT.
 */
export function parseAttestation(value: unknown): Attestation {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('ATTESTATION_MALFORMED', 'attestation is not a JSON object');
  const version = (value as { formatVersion?: unknown }).formatVersion;
  if (typeof version === 'number' && version !== ATTESTATION_FORMAT_VERSION) {
    fail(
      'ATTESTATION_UNSUPPORTED_VERSION',
      `attestation formatVersion ${version} is not supported (this verifier reads ${ATTESTATION_FORMAT_VERSION})`,
    );
  }
  const parsed = attestationV1Schema.safeParse(value);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    fail(
      'ATTESTATION_MALFORMED',
      `attestation does not match format v1: ${issues.map((i) => i.path).join(', ')}`,
      issues,
    );
  }
  const attestation: Attestation = parsed.data;
  checkAttestationConsistency(attestation);
  return attestation;
}
