import type { AttestationFacts, AttestationPort } from './attestation-port.js';
import {
  checkAttestationSignature,
  checkCertificateBinding,
  checkCertificateChain,
  checkDeviceRead,
} from './attestation-checks.js';
import { type CheckResult, failed, notChecked, passed, type VerificationCheck } from './check-result.js';
import {
  type ConsistencyProofFile,
  type DeviceRead,
  parseVerificationBundle,
  type VerificationBundle,
} from './formats.js';
import { checkChipBinding } from './chip-binding-check.js';
import { checkCheckpoint, checkConsistency, checkInclusion } from './log-checks.js';
import { prepareTrust, type PreparedTrust, type VerifierTrustInput } from './trust.js';

/** Optional extra checks for one bundle (both already parsed at the edge). */
export interface BundleExtras {
  /** Prove the bundle's checkpoint extends an older one. */
  readonly consistency?: ConsistencyProofFile;
  /** Prove the device still holds what was attested. */
  readonly deviceRead?: DeviceRead;
}

/** The outcome of verifying one bundle: `ok` only when every requested check passed. */
export interface BundleVerification {
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
  /** Present when the attestation signature verified. */
  readonly facts?: AttestationFacts;
  readonly leafIndex?: number;
  readonly treeSize?: number;
}

const BASE_CHECKS: readonly VerificationCheck[] = [
  'attestation-signature',
  'certificate-chain',
  'certificate-binding',
  'chip-binding',
  'checkpoint',
  'log-inclusion',
];

/**
 * Verifies verification bundles offline against trust material prepared once: the attestation
 * signature, the device certificate chain and its binding to the attestation, the checkpoint
 * signature and the attestation's inclusion in it; optionally consistency with an older checkpoint
 * and a fresh device read. Never throws for bad input: every problem becomes a failed check.
 */
export class BundleVerifier {
  readonly trust: PreparedTrust;

  /** Throws VerifierError VERIFY_TRUST_INVALID when the trust material is unusable. */
  constructor(
    trust: VerifierTrustInput | PreparedTrust,
    private readonly attestations: AttestationPort,
  ) {
    this.trust = 'checkpoints' in trust ? trust : prepareTrust(trust);
  }

  /** Verifies one decoded JSON bundle (see docs/verifier.md for the format). */
  verify(input: unknown, extras: BundleExtras = {}): BundleVerification {
    let bundle: VerificationBundle;
    try {
      bundle = parseVerificationBundle(input);
    } catch (error) {
      const skipped = [...BASE_CHECKS, ...optionalChecks(extras)].map((c) => notChecked(c, 'the bundle is unusable'));
      return { ok: false, checks: [failed('bundle', error), ...skipped] };
    }
    return this.verifyParsed(bundle, extras);
  }

  /** Verifies a bundle already validated by parseVerificationBundle. */
  verifyParsed(bundle: VerificationBundle, extras: BundleExtras = {}): BundleVerification {
    const signature = checkAttestationSignature(bundle, this.trust, this.attestations);
    const chain = checkCertificateChain(bundle, this.trust);
    const checkpoint = checkCheckpoint(bundle, this.trust);
    // The leaf from the verified decode when there is one (same bytes, no second decode).
    const verifiedLeaf = signature.attestation?.leafBytes;
    const leafBytes = verifiedLeaf ?? ((): Uint8Array => this.attestations.leafBytes(bundle.attestation));
    const checks: CheckResult[] = [
      passed('bundle', `format ${bundle.format}`),
      signature.result,
      chain.result,
      checkCertificateBinding(signature.attestation, chain.certificate),
      checkChipBinding(signature.attestation, chain.certificate),
      checkpoint.result,
      checkInclusion(bundle, leafBytes, checkpoint.checkpoint, this.trust),
    ];
    if (extras.consistency) checks.push(checkConsistency(extras.consistency, this.trust, checkpoint.checkpoint));
    if (extras.deviceRead) checks.push(checkDeviceRead(extras.deviceRead, signature.attestation));
    return {
      ok: checks.every((c) => c.status === 'passed'),
      checks,
      ...(signature.attestation && { facts: signature.attestation.facts }),
      leafIndex: bundle.log.leafIndex,
      ...(checkpoint.checkpoint && { treeSize: checkpoint.checkpoint.treeSize }),
    };
  }
}

function optionalChecks(extras: BundleExtras): VerificationCheck[] {
  return [
    ...(extras.consistency ? (['log-consistency'] as const) : []),
    ...(extras.deviceRead ? (['device-read'] as const) : []),
  ];
}
