import { createHash } from 'node:crypto';
import { AttestationError } from './errors.js';
import {
  COMMITMENT_SALT_MAX_BYTES,
  COMMITMENT_SALT_MIN_BYTES,
  SECRET_COMMITMENT_DOMAIN,
  SECRET_MASK_BYTE,
} from './format.js';

function u32be(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

/**
 * The commitment to one secret field's value (docs/attestation.md §Secret fields):
 *
 *   SHA-256( "ingrain.attestation.v1.secret-field-commitment" ‖ 0x00
 *            ‖ u32be(len(name)) ‖ name (UTF-8) ‖ u32be(len(salt)) ‖ salt ‖ u32be(len(value)) ‖ value )
 *
 * The salt is the opening: it stays private (re-derivable in the HSM) and is handed, with the
 * device, to an auditor who may check the secret. Published commitments therefore do not let
 * anyone brute-force a low-entropy secret.
 * @returns lowercase hex.
 * @throws AttestationError ATTESTATION_INPUT_INVALID for a salt outside 16–64 bytes or an empty value.
 */
export function commitSecretField(input: { fieldName: string; salt: Uint8Array; value: Uint8Array }): string {
  const { fieldName, salt, value } = input;
  if (salt.length < COMMITMENT_SALT_MIN_BYTES || salt.length > COMMITMENT_SALT_MAX_BYTES) {
    throw new AttestationError('ATTESTATION_INPUT_INVALID', `commitment salt for ${fieldName} must be 16-64 bytes`);
  }
  if (value.length === 0) throw new AttestationError('ATTESTATION_INPUT_INVALID', `secret field ${fieldName} is empty`);
  const name = Buffer.from(fieldName, 'utf8');
  return createHash('sha256')
    .update(SECRET_COMMITMENT_DOMAIN, 'ascii')
    .update(Uint8Array.of(0))
    .update(u32be(name.length))
    .update(name)
    .update(u32be(salt.length))
    .update(salt)
    .update(u32be(value.length))
    .update(value)
    .digest('hex');
}

/**
 * A copy of `data` with every byte of every given field replaced by 0x00: the form OTP data takes
 * in an attestation (and should take in any job result or log).
 */
export function maskSecretFields(
  data: Uint8Array,
  fields: readonly { readonly offsetBytes: number; readonly lengthBytes: number }[],
): Uint8Array {
  const masked = Uint8Array.from(data);
  for (const field of fields) masked.fill(SECRET_MASK_BYTE, field.offsetBytes, field.offsetBytes + field.lengthBytes);
  return masked;
}
