import { CertificateError } from './errors.js';
import { MAX_CERTIFICATE_TIME_MS } from './time.js';

const DAY_MS = 86_400_000;
const EARLIEST_MS = Date.UTC(1950, 0, 1); // RFC 5280 §4.1.2.5: UTCTime starts in 1950

/**
 * notBefore truncated to whole seconds and notAfter = notBefore + validityDays × 24 h.
 * @throws CertificateError CERT_INPUT_INVALID for an invalid date, a non-positive or fractional
 * day count, or a notAfter beyond 9999-12-31T23:59:59Z.
 */
export function validityWindow(notBefore: Date, validityDays: number): { notBefore: Date; notAfter: Date } {
  const startMs = notBefore.getTime();
  if (!Number.isFinite(startMs) || startMs < EARLIEST_MS) {
    throw new CertificateError('CERT_INPUT_INVALID', 'notBefore must be a valid date from 1950 on');
  }
  if (!Number.isSafeInteger(validityDays) || validityDays < 1) {
    throw new CertificateError('CERT_INPUT_INVALID', 'validityDays must be a positive integer');
  }
  const start = Math.floor(startMs / 1000) * 1000;
  const end = start + validityDays * DAY_MS;
  if (end > MAX_CERTIFICATE_TIME_MS) {
    throw new CertificateError('CERT_INPUT_INVALID', 'validity would end after 9999-12-31T23:59:59Z');
  }
  return { notBefore: new Date(start), notAfter: new Date(end) };
}
