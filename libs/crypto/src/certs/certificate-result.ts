import { bytesToHex } from '#ingrain/encoding';
import { encodePem, sha256Hex } from '../encoding/index.js';

/** A certificate as Ingrain hands it out. */
export interface IssuedCertificate {
  /** PEM, label CERTIFICATE, 64-character lines, trailing newline. */
  readonly pem: string;
  readonly der: Uint8Array;
  /** Lowercase hex SHA-256 of `der`, no separators (the form attestations carry). */
  readonly fingerprintSha256: string;
  /** Lowercase hex of the serial number's magnitude. */
  readonly serialNumberHex: string;
}

export function toIssuedCertificate(der: Uint8Array, serialNumber: Uint8Array): IssuedCertificate {
  let start = 0;
  while (start < serialNumber.length - 1 && serialNumber[start] === 0) start++;
  return {
    pem: encodePem('CERTIFICATE', der),
    der,
    fingerprintSha256: sha256Hex(der),
    serialNumberHex: bytesToHex(serialNumber.subarray(start)),
  };
}
