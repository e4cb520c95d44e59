import { EncodingError } from '#ingrain/encoding';
import { type DerElement, type DerNode, DerTag, derString } from '../encoding/index.js';

/** Last instant a certificate time can express (RFC 5280 §4.1.2.5). */
export const MAX_CERTIFICATE_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/**
 * Validity time per RFC 5280 §4.1.2.5: UTCTime YYMMDDHHMMSSZ through 2049, GeneralizedTime
 * YYYYMMDDHHMMSSZ from 2050; whole seconds (milliseconds are truncated), always UTC.
 */
export function encodeCertificateTime(date: Date): DerNode {
  const year = date.getUTCFullYear();
  const rest =
    pad(date.getUTCMonth() + 1, 2) +
    pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) +
    pad(date.getUTCMinutes(), 2) +
    pad(date.getUTCSeconds(), 2) +
    'Z';
  if (year >= 1950 && year < 2050) return derString(DerTag.utcTime, pad(year % 100, 2) + rest);
  return derString(DerTag.generalizedTime, pad(year, 4) + rest);
}

function digitsAt(bytes: Uint8Array, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = bytes[i]! - 0x30;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Decodes a validity time in exactly the two RFC 5280 §4.1.2.5 forms.
 * @throws EncodingError ENCODING_DER_INVALID for any other form or an impossible date.
 */
export function decodeCertificateTime(element: DerElement | undefined, what: string): Date {
  const bytes = element?.contents;
  const yearDigits = element?.tag === DerTag.utcTime ? 2 : element?.tag === DerTag.generalizedTime ? 4 : 0;
  const bad = (): EncodingError =>
    new EncodingError('ENCODING_DER_INVALID', `invalid DER: ${what} is not an RFC 5280 time`);
  if (bytes === undefined || yearDigits === 0 || bytes.length !== yearDigits + 11 || bytes[yearDigits + 10] !== 0x5a)
    throw bad();
  const shortYear = digitsAt(bytes, 0, yearDigits);
  const year = yearDigits === 4 ? shortYear : shortYear >= 50 ? 1900 + shortYear : 2000 + shortYear;
  const [month, day, hour, minute, second] = [0, 2, 4, 6, 8].map((at) => digitsAt(bytes, yearDigits + at, 2)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw new EncodingError('ENCODING_DER_INVALID', `invalid DER: ${what} is not a real date`);
  }
  return date;
}
