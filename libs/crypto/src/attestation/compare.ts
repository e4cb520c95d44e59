import { bytesToHex, hexToBytes } from '#ingrain/encoding';
import { type Attestation } from './attestation.js';
import { commitSecretField } from './commitment.js';
import { AttestationError } from './errors.js';

/** One way a fresh device read differs from its attestation. Never carries secret-field bytes. */
export type DeviceReadDifference =
  | { readonly kind: 'data-length' | 'lock-length'; readonly expectedBytes: number; readonly actualBytes: number }
  /** A run of consecutive differing non-secret OTP data bytes. */
  | {
      readonly kind: 'data';
      readonly offsetBytes: number;
      readonly lengthBytes: number;
      readonly expectedHex: string;
      readonly actualHex: string;
    }
  | { readonly kind: 'lock'; readonly block: number; readonly expected: number; readonly actual: number }
  /** The device's bytes for this secret field do not match the attested commitment. */
  | { readonly kind: 'secret-field'; readonly field: string }
  | { readonly kind: 'uid'; readonly expectedHex: string; readonly actualHex: string };

/** How each secret field was checked. */
export interface SecretFieldCheck {
  readonly name: string;
  readonly status: 'match' | 'mismatch' | 'not-checked';
}

export interface DeviceReadComparisonResult {
  /** True when nothing that was checked differs. */
  readonly matches: boolean;
  /** True when every secret field was checked too (a salt was given for each). */
  readonly fullyChecked: boolean;
  readonly differences: readonly DeviceReadDifference[];
  readonly secretFields: readonly SecretFieldCheck[];
}

export interface CompareDeviceReadOptions {
  /** The chip UID read from the device (hex, either case), compared when given. */
  readonly uidHex?: string;
  /** Commitment salts (the openings) by secret field name; fields without one are 'not-checked'. */
  readonly secretSalts?: Readonly<Record<string, Uint8Array>>;
}

function secretMask(attestation: Attestation, lengthBytes: number): Uint8Array {
  const mask = new Uint8Array(lengthBytes);
  for (const field of attestation.otp.secretFields)
    mask.fill(1, field.offsetBytes, field.offsetBytes + field.lengthBytes);
  return mask;
}

function dataDifferences(expected: Uint8Array, actual: Uint8Array, mask: Uint8Array): DeviceReadDifference[] {
  const differences: DeviceReadDifference[] = [];
  let start = -1;
  for (let i = 0; i <= expected.length; i++) {
    const differs = i < expected.length && mask[i] === 0 && expected[i] !== actual[i];
    if (differs && start < 0) start = i;
    if (!differs && start >= 0) {
      differences.push({
        kind: 'data',
        offsetBytes: start,
        lengthBytes: i - start,
        expectedHex: bytesToHex(expected.subarray(start, i)),
        actualHex: bytesToHex(actual.subarray(start, i)),
      });
      start = -1;
    }
  }
  return differences;
}

function lockDifferences(expected: Uint8Array, actual: Uint8Array): DeviceReadDifference[] {
  if (expected.length !== actual.length)
    return [{ kind: 'lock-length', expectedBytes: expected.length, actualBytes: actual.length }];
  const differences: DeviceReadDifference[] = [];
  expected.forEach((value, block) => {
    if (actual[block] !== value) differences.push({ kind: 'lock', block, expected: value, actual: actual[block]! });
  });
  return differences;
}

function checkSecrets(
  attestation: Attestation,
  data: Uint8Array | undefined,
  salts: Readonly<Record<string, Uint8Array>>,
): SecretFieldCheck[] {
  const known = new Set(attestation.otp.secretFields.map((f) => f.name));
  const unknown = Object.keys(salts).filter((name) => !known.has(name));
  if (unknown.length > 0)
    throw new AttestationError(
      'ATTESTATION_INPUT_INVALID',
      `salts given for fields that are not secret fields of this attestation: ${unknown.join(', ')}`,
    );
  return attestation.otp.secretFields.map((field) => {
    const salt = Object.prototype.hasOwnProperty.call(salts, field.name) ? salts[field.name] : undefined;
    if (salt === undefined || data === undefined) return { name: field.name, status: 'not-checked' };
    const value = data.subarray(field.offsetBytes, field.offsetBytes + field.lengthBytes);
    const commitment = commitSecretField({ fieldName: field.name, salt, value });
    return { name: field.name, status: commitment === field.commitmentSha256 ? 'match' : 'mismatch' };
  });
}

/**
 * Compares a fresh read of a device (all OTP data bytes and lock bytes) with what its attestation
 * says it permanently contains. Non-secret data bytes and every lock byte are compared exactly;
 * a secret field is checked against its commitment using the device's own bytes only when its
 * salt is supplied, and otherwise reported 'not-checked'. Differences never contain secret bytes.
 * @throws AttestationError ATTESTATION_INPUT_INVALID for salts naming unknown fields or outside 16–64 bytes.
 */
export function compareDeviceReadWithAttestation(
  attestation: Attestation,
  freshOtpData: Uint8Array,
  freshLockBytes: Uint8Array,
  options: CompareDeviceReadOptions = {},
): DeviceReadComparisonResult {
  const expectedData = hexToBytes(attestation.otp.dataHex);
  const sameLength = expectedData.length === freshOtpData.length;
  const differences: DeviceReadDifference[] = sameLength
    ? dataDifferences(expectedData, freshOtpData, secretMask(attestation, expectedData.length))
    : [{ kind: 'data-length', expectedBytes: expectedData.length, actualBytes: freshOtpData.length }];
  differences.push(...lockDifferences(hexToBytes(attestation.otp.lockBytesHex), freshLockBytes));
  const secretFields = checkSecrets(attestation, sameLength ? freshOtpData : undefined, options.secretSalts ?? {});
  for (const check of secretFields)
    if (check.status === 'mismatch') differences.push({ kind: 'secret-field', field: check.name });
  if (options.uidHex !== undefined && options.uidHex.toLowerCase() !== attestation.chip.uidHex) {
    differences.push({ kind: 'uid', expectedHex: attestation.chip.uidHex, actualHex: options.uidHex.toLowerCase() });
  }
  return {
    matches: differences.length === 0,
    fullyChecked: secretFields.every((s) => s.status !== 'not-checked'),
    differences,
    secretFields,
  };
}

const clip = (hex: string): string => (hex.length > 32 ? `${hex.slice(0, 32)}…` : hex);
const hexByte = (value: number): string => `0x${value.toString(16).padStart(2, '0')}`;

/** One line of text for a difference (for CLIs and logs; contains no secret bytes). */
export function describeDeviceReadDifference(difference: DeviceReadDifference): string {
  switch (difference.kind) {
    case 'data-length':
      return `OTP data is ${difference.actualBytes} bytes, attested ${difference.expectedBytes}`;
    case 'lock-length':
      return `${difference.actualBytes} lock bytes, attested ${difference.expectedBytes}`;
    case 'data':
      return `OTP bytes at offset ${difference.offsetBytes} (+${difference.lengthBytes}) differ: attested ${clip(difference.expectedHex)}, device ${clip(difference.actualHex)}`;
    case 'lock':
      return `lock byte of block ${difference.block} is ${hexByte(difference.actual)}, attested ${hexByte(difference.expected)}`;
    case 'secret-field':
      return `secret field ${difference.field} does not match its commitment`;
    case 'uid':
      return `chip UID is ${difference.actualHex}, attested ${difference.expectedHex}`;
  }
}
