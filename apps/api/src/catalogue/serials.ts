// Device serials: allocated from a product's prefix and sequence, or given by the MES. A serial
// goes into the device certificate (CN, serialNumber, URN), the attestation and the derivation
// context, so it follows their identifier rule (libs/crypto DEVICE_IDENTIFIER_PATTERN).
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';

/** 1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit (docs/certificates.md, "Identifier rules"). */
export const SERIAL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/**
 * A product's serial prefix: empty, or up to 48 of the serial characters starting alphanumeric.
 * 48 + the 16 digits of the largest safe integer = 64: every sequence number fits.
 */
export const SERIAL_PREFIX_PATTERN = /^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,47})?$/;
/** The sequence number is zero-padded to at least this many digits (`SN-000042`). */
export const SERIAL_SEQUENCE_MIN_DIGITS = 6;

export const serialSchema = z
  .string()
  .regex(SERIAL_PATTERN, 'serial must be 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit');
export const serialPrefixSchema = z
  .string()
  .regex(SERIAL_PREFIX_PATTERN, 'serialPrefix must be empty or up to 48 of A-Z a-z 0-9 . _ - starting alphanumeric');

/**
 * The serial for sequence number `sequence` of a product: prefix followed by the decimal sequence
 * zero-padded to 6 digits (more when it needs them). `('SN-', 42)` → `SN-000042`; `('', 7)` →
 * `000007`. Distinct sequences of one prefix give distinct serials.
 *
 * @throws AppError `SERIAL_PREFIX_INVALID` for a prefix outside its rule; a RangeError for a
 *   sequence that is not a non-negative safe integer (a caller bug).
 */
export function formatSerial(prefix: string, sequence: number): string {
  if (!SERIAL_PREFIX_PATTERN.test(prefix)) {
    throw new AppError('SERIAL_PREFIX_INVALID', 'the serial prefix must be empty or up to 48 of A-Z a-z 0-9 . _ -');
  }
  if (!Number.isSafeInteger(sequence) || sequence < 0) {
    throw new RangeError(`serial sequence must be a non-negative safe integer, got ${sequence}`);
  }
  return `${prefix}${String(sequence).padStart(SERIAL_SEQUENCE_MIN_DIGITS, '0')}`;
}

/**
 * A serial given by the MES, checked against the identifier rule.
 *
 * @throws AppError `SERIAL_INVALID` (field `serial`); the message does not echo the value.
 */
export function assertValidSerial(serial: string): string {
  if (SERIAL_PATTERN.test(serial)) return serial;
  const message = 'serial must be 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit';
  throw new AppError('SERIAL_INVALID', message, { errors: [{ path: 'body.serial', message }] });
}
