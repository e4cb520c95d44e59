import { decodePem, sha256Hex } from '../encoding/index.js';
import { type DeviceCertificateFacts, type TrustedDeviceCa, verifyDeviceCertificateChain } from '../certs/index.js';
import type { VerifiedAttestation } from './attestation-port.js';
import type { AttestationPort } from './attestation-port.js';
import { type CheckResult, failed, notChecked, passed } from './check-result.js';
import { VerifierError } from './errors.js';
import type { DeviceRead, VerificationBundle } from './formats.js';
import type { PreparedTrust } from './trust.js';

const short = (fingerprint: string): string => `${fingerprint.slice(0, 16)}…`;

/** Verifies with the first trusted key; on failure tries the others, else throws the first key's error. */
function verifyWithAnyKey(bundle: VerificationBundle, trust: PreparedTrust, attestations: AttestationPort) {
  const [first, ...others] = trust.attestationPublicKeysSpkiDer;
  try {
    return attestations.verify(bundle.attestation, first ?? trust.attestationPublicKeySpkiDer);
  } catch (error) {
    for (const key of others) {
      try {
        return attestations.verify(bundle.attestation, key);
      } catch {
        // the first key's error is the one reported
      }
    }
    throw error;
  }
}

/** Checks the attestation envelope's signature with a trusted attestation key. */
export function checkAttestationSignature(
  bundle: VerificationBundle,
  trust: PreparedTrust,
  attestations: AttestationPort,
): { result: CheckResult; attestation?: VerifiedAttestation } {
  try {
    const attestation = verifyWithAnyKey(bundle, trust, attestations);
    const { product, serial } = attestation.facts;
    const detail = `signed by the attestation key (product ${product}, serial ${serial})`;
    return { result: passed('attestation-signature', detail), attestation };
  } catch (error) {
    return { result: failed('attestation-signature', error) };
  }
}

function requireTrustedCa(bundleCaPem: string, trust: PreparedTrust): TrustedDeviceCa {
  const same = trust.cas.find((ca) => ca.pem === bundleCaPem);
  if (same !== undefined) return same;
  let fingerprint: string;
  try {
    fingerprint = sha256Hex(decodePem(bundleCaPem, 'CERTIFICATE'));
  } catch (cause) {
    throw new VerifierError('VERIFY_CA_MISMATCH', 'the bundle CA certificate is not a PEM certificate', { cause });
  }
  const trusted = trust.cas.find((ca) => ca.fingerprintSha256 === fingerprint);
  if (trusted === undefined) {
    const names = trust.cas.map((ca) => short(ca.fingerprintSha256)).join(', ');
    throw new VerifierError(
      'VERIFY_CA_MISMATCH',
      `the bundle names CA ${short(fingerprint)}, not a trusted CA (${names})`,
    );
  }
  return trusted;
}

/** Checks the device certificate chains to the trusted CA (and the bundle names that CA). */
export function checkCertificateChain(
  bundle: VerificationBundle,
  trust: PreparedTrust,
): { result: CheckResult; certificate?: DeviceCertificateFacts } {
  try {
    const ca = requireTrustedCa(bundle.caCertificatePem, trust);
    const options = trust.at === undefined ? {} : { at: trust.at };
    const certificate = verifyDeviceCertificateChain(bundle.deviceCertificatePem, ca, options);
    const detail = `device certificate ${short(certificate.fingerprintSha256)} issued by the trusted CA`;
    return { result: passed('certificate-chain', detail), certificate };
  } catch (error) {
    return { result: failed('certificate-chain', error) };
  }
}

function bindingMismatches(attestation: VerifiedAttestation, certificate: DeviceCertificateFacts): string[] {
  const facts = attestation.facts;
  const problems: string[] = [];
  if (facts.deviceCertificateFingerprintSha256.toLowerCase() !== certificate.fingerprintSha256) {
    problems.push(`attested certificate ${short(facts.deviceCertificateFingerprintSha256)} is not the bundle's`);
  }
  if (facts.product !== certificate.product) {
    problems.push(`the attestation says product ${facts.product}, the certificate ${certificate.product}`);
  }
  if (facts.serial !== certificate.serial) {
    problems.push(`the attestation says serial ${facts.serial}, the certificate ${certificate.serial}`);
  }
  const certificateUid = certificate.chipUidHex;
  if (certificateUid !== undefined && certificateUid !== facts.chip.uidHex.toLowerCase()) {
    problems.push(
      `the attestation says chip UID ${facts.chip.uidHex.toLowerCase()}, the certificate ${certificateUid}`,
    );
  }
  return problems;
}

/** Checks the attestation names exactly the bundle's (verified) device certificate. */
export function checkCertificateBinding(
  attestation: VerifiedAttestation | undefined,
  certificate: DeviceCertificateFacts | undefined,
): CheckResult {
  if (attestation === undefined) return notChecked('certificate-binding', 'the attestation signature did not verify');
  if (certificate === undefined) return notChecked('certificate-binding', 'the certificate chain did not verify');
  const problems = bindingMismatches(attestation, certificate);
  if (problems.length > 0) {
    return failed('certificate-binding', new VerifierError('VERIFY_CERTIFICATE_MISMATCH', problems.join('; ')));
  }
  if (certificate.chipUidHex === undefined) {
    return passed(
      'certificate-binding',
      'the attestation names this certificate, product and serial (the certificate carries no chip UID: ' +
        'only the attestation key vouches for the chip)',
    );
  }
  return passed('certificate-binding', 'the attestation names this certificate, product, serial and chip UID');
}

const hexId = (id: number): string => `0x${id.toString(16)}`;

function identityMismatches(read: DeviceRead, attestation: VerifiedAttestation): string[] {
  const chip = attestation.facts.chip;
  const problems: string[] = [];
  if (read.family !== chip.family) problems.push(`family ${read.family} is not the attested ${chip.family}`);
  if (read.productId !== chip.productId) {
    problems.push(`chip product ID ${hexId(read.productId)} is not the attested ${hexId(chip.productId)}`);
  }
  const readUid = Buffer.from(read.uid).toString('hex');
  if (readUid !== chip.uidHex.toLowerCase()) {
    problems.push(`chip UID ${readUid} is not the attested ${chip.uidHex.toLowerCase()}: this is another chip`);
  }
  return problems;
}

/** Redacted bytes of the read are fine inside attested secret fields, and uncomparable elsewhere. */
function redactionProblems(read: DeviceRead, attestation: VerifiedAttestation): string[] {
  const secret = (offset: number): boolean =>
    attestation.facts.secretFields.some((f) => offset >= f.offsetBytes && offset < f.offsetBytes + f.lengthBytes);
  const outside = read.redactedOffsets.filter((offset) => !secret(offset));
  if (outside.length === 0) return [];
  return [`the read redacts ${outside.length} non-secret byte(s) (first at offset ${outside[0]}): cannot compare them`];
}

/** Checks that a fresh device read shows the attested chip still holding the attested OTP. */
export function checkDeviceRead(read: DeviceRead, attestation: VerifiedAttestation | undefined): CheckResult {
  if (attestation === undefined) return notChecked('device-read', 'the attestation signature did not verify');
  try {
    const problems = [...identityMismatches(read, attestation), ...redactionProblems(read, attestation)];
    const comparison = problems.length === 0 ? attestation.compareDeviceRead(read.otpData, read.lockBytes) : undefined;
    if (comparison && !comparison.matches) problems.push(...comparison.differences);
    if (problems.length > 0) {
      const shown = problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; and ${problems.length - 5} more` : '');
      return failed('device-read', new VerifierError('VERIFY_DEVICE_READ_MISMATCH', shown));
    }
    const unchecked = comparison?.uncheckedSecretFields ?? [];
    const secrets =
      unchecked.length === 0 ? '' : ` (secret fields ${unchecked.join(', ')}: commitment only, not checked)`;
    return passed('device-read', `the chip holds the attested OTP data and lock bytes${secrets}`);
  } catch (error) {
    return failed('device-read', error);
  }
}
