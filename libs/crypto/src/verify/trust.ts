import { createPublicKey } from 'node:crypto';
import { prepareTrustedDeviceCa, type TrustedDeviceCa } from '../certs/index.js';
import { CheckpointVerifier, InclusionProofCache } from '../log/index.js';
import { VerifierError } from './errors.js';

/** What an auditor trusts, obtained out of band (published keys and the device CA certificate). */
export interface VerifierTrustInput {
  /** DER SPKI of the attestation signing key (ECDSA P-256). */
  readonly attestationPublicKeySpkiDer: Uint8Array;
  /** DER SPKI of the log's checkpoint signing key (ECDSA P-256). */
  readonly logPublicKeySpkiDer: Uint8Array;
  /** The device CA certificate (PEM): the trust anchor for device certificates. */
  readonly caCertificatePem: string;
  /** The log origin checkpoints must carry, e.g. `ingrain.example/log/factory-1`. */
  readonly origin: string;
  /** Instant at which certificate validity is judged (default: now). */
  readonly at?: Date;
  /** Further trusted attestation keys (DER SPKI), e.g. the previous key after a rotation. */
  readonly additionalAttestationPublicKeysSpkiDer?: readonly Uint8Array[];
  /** Further trusted device CA certificates (PEM). */
  readonly additionalCaCertificatesPem?: readonly string[];
}

/** Trust material parsed once and reused for every bundle (key objects, CA, checkpoint cache). */
export interface PreparedTrust {
  readonly attestationPublicKeySpkiDer: Uint8Array;
  /** Every trusted attestation key, `attestationPublicKeySpkiDer` first. */
  readonly attestationPublicKeysSpkiDer: readonly Uint8Array[];
  readonly checkpoints: CheckpointVerifier;
  /** Remembers tree nodes proven by earlier bundles of the same checkpoint. */
  readonly inclusions: InclusionProofCache;
  readonly ca: TrustedDeviceCa;
  /** Every trusted device CA, `ca` first. */
  readonly cas: readonly TrustedDeviceCa[];
  readonly at: Date | undefined;
}

function requireP256(spkiDer: Uint8Array, what: string): void {
  try {
    const key = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return;
  } catch (cause) {
    throw new VerifierError('VERIFY_TRUST_INVALID', `${what} is not a DER SubjectPublicKeyInfo`, { cause });
  }
  throw new VerifierError('VERIFY_TRUST_INVALID', `${what} is not an ECDSA P-256 key`);
}

/**
 * Parses and checks the trust material once. Throws VerifierError VERIFY_TRUST_INVALID for a key
 * that is not EC P-256, an invalid origin, or a CA certificate that is not a usable device CA (the
 * certificate error is the `cause`).
 */
export function prepareTrust(input: VerifierTrustInput): PreparedTrust {
  const attestationKeys = [input.attestationPublicKeySpkiDer, ...(input.additionalAttestationPublicKeysSpkiDer ?? [])];
  attestationKeys.forEach((key, i) => requireP256(key, i === 0 ? 'attestation key' : `attestation key ${i + 1}`));
  requireP256(input.logPublicKeySpkiDer, 'log key');
  let checkpoints: CheckpointVerifier;
  let cas: TrustedDeviceCa[];
  try {
    checkpoints = new CheckpointVerifier(input.origin, input.logPublicKeySpkiDer);
  } catch (cause) {
    throw new VerifierError('VERIFY_TRUST_INVALID', 'origin is not a valid log name', { cause });
  }
  try {
    cas = [input.caCertificatePem, ...(input.additionalCaCertificatesPem ?? [])].map(prepareTrustedDeviceCa);
  } catch (cause) {
    throw new VerifierError('VERIFY_TRUST_INVALID', 'CA certificate is not a usable device CA', { cause });
  }
  const [ca] = cas;
  if (ca === undefined) throw new VerifierError('VERIFY_TRUST_INVALID', 'no device CA certificate');
  return {
    attestationPublicKeySpkiDer: input.attestationPublicKeySpkiDer,
    attestationPublicKeysSpkiDer: attestationKeys,
    checkpoints,
    inclusions: new InclusionProofCache(),
    ca,
    cas,
    at: input.at,
  };
}
