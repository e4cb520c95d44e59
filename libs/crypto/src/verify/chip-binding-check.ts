// The chip-binding check (docs/verifier.md, "Chip binding"): chip UID ⇄ certificate ⇄ OTP contents.
import { createHash } from 'node:crypto';
import { type DeviceCertificateFacts } from '../certs/index.js';
import { p256PublicKeyBits } from '../certs/spki.js';
import type { VerifiedAttestation } from './attestation-port.js';
import { type CheckResult, failed, notChecked, passed } from './check-result.js';
import { VerifierError } from './errors.js';

/** The detail of a certificate issued before chip binding existed: reported, not failed. */
export const NOT_CHIP_BOUND_DETAIL =
  'WARNING certificate not chip-bound: it carries no chip UID extension (issued before the chip was known); ' +
  'only the attestation key vouches for the chip UID';

/** Where the attested OTP data holds the certificate's public key: the point, or its SHA-256. */
function publicKeyInOtp(certificate: DeviceCertificateFacts, otpDataHex: string): string | undefined {
  const point = Buffer.from(p256PublicKeyBits(certificate.publicKeySpkiDer)).toString('hex');
  const hash = createHash('sha256').update(Buffer.from(point, 'hex')).digest('hex');
  for (const [what, hex] of [
    ['public key point', point],
    ['public key SHA-256', hash],
  ] as const) {
    const at = findAligned(otpDataHex.toLowerCase(), hex);
    if (at !== undefined) return `the attested OTP holds the certificate's ${what} at offset ${at}`;
  }
  return undefined;
}

function findAligned(haystack: string, needle: string): number | undefined {
  for (let index = haystack.indexOf(needle); index !== -1; index = haystack.indexOf(needle, index + 1)) {
    if (index % 2 === 0) return index / 2;
  }
  return undefined;
}

/**
 * Checks that the certificate vouches for the attested chip: its chip UID (extension and subject,
 * already found equal by the chain check) is the attested `chip.uidHex`, and the attested OTP data
 * holds the certificate's public key (as the point or its SHA-256) when the layout put it there.
 * A certificate without a chip UID extension (a device requested before chip binding) passes with
 * {@link NOT_CHIP_BOUND_DETAIL}. Fails with VERIFY_CHIP_BINDING_MISMATCH.
 */
export function checkChipBinding(
  attestation: VerifiedAttestation | undefined,
  certificate: DeviceCertificateFacts | undefined,
): CheckResult {
  if (attestation === undefined) return notChecked('chip-binding', 'the attestation signature did not verify');
  if (certificate === undefined) return notChecked('chip-binding', 'the certificate chain did not verify');
  if (!certificate.chipBound) return passed('chip-binding', NOT_CHIP_BOUND_DETAIL);
  const attested = attestation.facts.chip.uidHex.toLowerCase();
  if (certificate.chipUidHex !== attested) {
    const message = `the certificate is bound to chip UID ${certificate.chipUidHex ?? '(none)'}, but the attestation is for chip UID ${attested}`;
    return failed('chip-binding', new VerifierError('VERIFY_CHIP_BINDING_MISMATCH', message));
  }
  const otpDataHex = attestation.attestedOtpDataHex?.();
  const inOtp = otpDataHex === undefined ? undefined : publicKeyInOtp(certificate, otpDataHex);
  const otp = inOtp ?? 'the attested OTP holds no copy of the certificate key (layout without one): not compared';
  return passed('chip-binding', `the certificate is bound to the attested chip UID ${attested}; ${otp}`);
}
