import { bytesToBase64 } from '#ingrain/encoding';
import { type StoredCheckpoint, type TransparencyLog, TransparencyLogError } from '../log/index.js';
import {
  CONSISTENCY_PROOF_FORMAT,
  type ConsistencyProofDocument,
  VERIFICATION_BUNDLE_FORMAT,
  type VerificationBundleDocument,
} from './formats.js';

/** What the issuer of a bundle knows about one logged attestation. */
export interface BundleSource {
  /** The signed attestation envelope (JSON object) whose leaf bytes were appended to the log. */
  readonly envelope: Readonly<Record<string, unknown>>;
  /** Leaf index returned when the attestation was appended. */
  readonly leafIndex: number;
  readonly deviceCertificatePem: string;
  readonly caCertificatePem: string;
}

async function checkpointToUse(log: TransparencyLog, checkpoint?: StoredCheckpoint): Promise<StoredCheckpoint> {
  const chosen = checkpoint ?? (await log.latestCheckpoint());
  if (chosen === undefined) throw new TransparencyLogError('LOG_INDEX_OUT_OF_RANGE', 'the log has no checkpoint yet');
  return chosen;
}

/**
 * Builds the verification bundle of one logged attestation: the inclusion proof against
 * `checkpoint` (default: the latest signed one). Throws LOG_INDEX_OUT_OF_RANGE when there is no
 * checkpoint yet or it does not cover the leaf (sign a checkpoint after appending first). Does not
 * re-verify the envelope: the caller logged it.
 */
export async function buildVerificationBundle(
  log: TransparencyLog,
  source: BundleSource,
  checkpoint?: StoredCheckpoint,
): Promise<VerificationBundleDocument> {
  const chosen = await checkpointToUse(log, checkpoint);
  const proof = await log.inclusionProof(source.leafIndex, chosen.treeSize);
  return {
    format: VERIFICATION_BUNDLE_FORMAT,
    attestation: { ...source.envelope },
    deviceCertificatePem: source.deviceCertificatePem,
    caCertificatePem: source.caCertificatePem,
    log: { leafIndex: source.leafIndex, inclusionProof: proof.map(bytesToBase64), checkpoint: chosen.note },
  };
}

/**
 * Builds a consistency proof file from an older signed checkpoint to a newer one (default: the
 * latest). LOG_INDEX_OUT_OF_RANGE when the sizes are not ordered or not reached.
 */
export async function buildConsistencyProofFile(
  log: TransparencyLog,
  oldCheckpoint: StoredCheckpoint,
  newCheckpoint?: StoredCheckpoint,
): Promise<ConsistencyProofDocument> {
  const chosen = await checkpointToUse(log, newCheckpoint);
  const proof = await log.consistencyProof(oldCheckpoint.treeSize, chosen.treeSize);
  return { format: CONSISTENCY_PROOF_FORMAT, oldCheckpoint: oldCheckpoint.note, proof: proof.map(bytesToBase64) };
}
