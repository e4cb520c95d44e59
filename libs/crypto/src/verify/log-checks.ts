import { type Checkpoint, verifyConsistency } from '../log/index.js';
import { type CheckResult, failed, notChecked, passed } from './check-result.js';
import type { ConsistencyProofFile, VerificationBundle } from './formats.js';
import type { PreparedTrust } from './trust.js';

/** Checks the bundle's checkpoint note: origin, signature by the trusted log key. */
export function checkCheckpoint(
  bundle: VerificationBundle,
  trust: PreparedTrust,
): { result: CheckResult; checkpoint?: Checkpoint } {
  try {
    const checkpoint = trust.checkpoints.verify(bundle.log.checkpoint);
    const detail = `signed by the log key for ${checkpoint.origin} at tree size ${checkpoint.treeSize}`;
    return { result: passed('checkpoint', detail), checkpoint };
  } catch (error) {
    return { result: failed('checkpoint', error) };
  }
}

/** Checks that the attestation leaf is in the tree the verified checkpoint commits to. */
export function checkInclusion(
  bundle: VerificationBundle,
  leafBytes: () => Uint8Array,
  checkpoint: Checkpoint | undefined,
  trust: PreparedTrust,
): CheckResult {
  if (checkpoint === undefined) return notChecked('log-inclusion', 'the checkpoint did not verify');
  try {
    const { leafIndex, inclusionProof } = bundle.log;
    const { treeSize, rootHash } = checkpoint;
    trust.inclusions.verify({ leafBytes: leafBytes() }, leafIndex, treeSize, inclusionProof, rootHash);
    return passed('log-inclusion', `attestation is leaf ${leafIndex} of the tree of size ${checkpoint.treeSize}`);
  } catch (error) {
    return failed('log-inclusion', error);
  }
}

/** Checks that the bundle's checkpoint extends an older checkpoint the auditor kept. */
export function checkConsistency(
  file: ConsistencyProofFile,
  trust: PreparedTrust,
  checkpoint: Checkpoint | undefined,
): CheckResult {
  if (checkpoint === undefined) return notChecked('log-consistency', 'the checkpoint did not verify');
  try {
    const old = trust.checkpoints.verify(file.oldCheckpoint);
    verifyConsistency(old.treeSize, checkpoint.treeSize, file.proof, old.rootHash, checkpoint.rootHash);
    return passed('log-consistency', `tree size ${checkpoint.treeSize} extends tree size ${old.treeSize}`);
  } catch (error) {
    return failed('log-consistency', error);
  }
}
