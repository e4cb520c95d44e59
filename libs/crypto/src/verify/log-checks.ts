import { hashesEqual } from '../log/hashing.js';
import { type Checkpoint, rootsFromConsistencyProof, TransparencyLogError } from '../log/index.js';
import { type CheckResult, failed, notChecked, passed } from './check-result.js';
import type { ConsistencyProofFile, VerificationBundle } from './formats.js';
import type { PreparedTrust } from './trust.js';
import { VerifierError } from './errors.js';

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

/** Length of RFC 9162 PROOF(m, D[n]) for 0 < m < n (§2.1.4.1 SUBPROOF). */
export function consistencyProofLength(oldSize: number, newSize: number): number {
  let m = oldSize;
  let n = newSize;
  let complete = true;
  let length = 0;
  while (m !== n) {
    let k = 1;
    while (k * 2 < n) k *= 2;
    length++;
    if (m <= k) n = k;
    else {
      m -= k;
      n -= k;
      complete = false;
    }
  }
  return complete ? length : length + 1;
}

const mismatch = (message: string): VerifierError => new VerifierError('VERIFY_CONSISTENCY_MISMATCH', message);
const invalidProof = (message: string): TransparencyLogError =>
  new TransparencyLogError('LOG_CONSISTENCY_PROOF_INVALID', message);

/** Prefixes a checkpoint error of the kept (old) or proof's (new) note, keeping its code. */
function about(which: string, error: unknown): Error {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  const message = error instanceof Error ? error.message : 'unexpected failure';
  return Object.assign(new Error(`${which}: ${message}`), code === undefined ? {} : { code });
}

/** The proof file named the checkpoint it leads to: it must be the bundle's tree (size and root). */
function requireSameTarget(file: ConsistencyProofFile, trust: PreparedTrust, checkpoint: Checkpoint): void {
  if (file.newCheckpoint === undefined) return;
  let target: Checkpoint;
  try {
    target = trust.checkpoints.verify(file.newCheckpoint);
  } catch (error) {
    throw about("the proof's newer checkpoint", error);
  }
  if (target.treeSize !== checkpoint.treeSize) {
    throw mismatch(
      `the proof leads to the checkpoint of tree size ${target.treeSize}, not to the bundle's checkpoint ` +
        `(tree size ${checkpoint.treeSize}): ask for a proof to tree size ${checkpoint.treeSize}`,
    );
  }
  if (!hashesEqual(target.rootHash, checkpoint.rootHash)) {
    throw invalidProof(
      `two checkpoints of tree size ${checkpoint.treeSize} signed by the log key have different roots ` +
        "(the proof's and the bundle's): the log forked; keep both notes as evidence",
    );
  }
}

/** Checks the sizes, then the proof against both roots, naming what exactly does not hold. */
function requireConsistent(old: Checkpoint, checkpoint: Checkpoint, proof: readonly Uint8Array[]): void {
  const [m, n] = [old.treeSize, checkpoint.treeSize];
  if (m > n) {
    throw mismatch(
      `the kept checkpoint (tree size ${m}) is newer than the bundle's (tree size ${n}): ` +
        'a consistency proof goes from an older checkpoint to a newer one',
    );
  }
  if (m === n || m === 0) {
    if (proof.length !== 0)
      throw mismatch(`a proof from tree size ${m} to ${n} is empty; this one has ${proof.length} hash(es)`);
    if (m === n && !hashesEqual(old.rootHash, checkpoint.rootHash)) {
      throw invalidProof(
        `the kept checkpoint and the bundle's both have tree size ${m}, signed by the log key, with different roots: ` +
          'the log forked; keep both notes as evidence',
      );
    }
    return;
  }
  const expected = consistencyProofLength(m, n);
  if (proof.length !== expected) {
    throw mismatch(
      `the proof has ${proof.length} hash(es); a proof from tree size ${m} to ${n} has ${expected}: ` +
        `it was made for other tree sizes (ask for from=${m}&to=${n})`,
    );
  }
  const { oldComputed, newComputed } = rootsFromConsistencyProof(m, n, proof, old.rootHash);
  if (!hashesEqual(oldComputed, old.rootHash)) {
    throw invalidProof(
      `the proof does not reproduce the kept checkpoint's root (tree size ${m}): the proof is damaged or not ` +
        'from this log; ask for it again, and keep it if a fresh one also fails',
    );
  }
  if (!hashesEqual(newComputed, checkpoint.rootHash)) {
    throw invalidProof(
      `the proof reproduces the kept root (tree size ${m}) but not the bundle's root (tree size ${n}): ` +
        'the proof was altered, or the signed tree of size ' +
        `${n} does not extend the kept one; keep both checkpoints and the proof as evidence`,
    );
  }
}

/**
 * Checks that the bundle's checkpoint extends an older checkpoint the auditor kept. Codes: the kept
 * (or the proof's newer) note's checkpoint code, prefixed with which note; VERIFY_CONSISTENCY_MISMATCH
 * when the proof or the kept checkpoint does not fit this bundle's checkpoint (not evidence of
 * anything); LOG_CONSISTENCY_PROOF_INVALID when the proof fails against roots it fits.
 */
export function checkConsistency(
  file: ConsistencyProofFile,
  trust: PreparedTrust,
  checkpoint: Checkpoint | undefined,
): CheckResult {
  if (checkpoint === undefined) return notChecked('log-consistency', 'the checkpoint did not verify');
  try {
    let old: Checkpoint;
    try {
      old = trust.checkpoints.verify(file.oldCheckpoint);
    } catch (error) {
      throw about('the kept checkpoint', error);
    }
    requireSameTarget(file, trust, checkpoint);
    requireConsistent(old, checkpoint, file.proof);
    return passed('log-consistency', `tree size ${checkpoint.treeSize} extends tree size ${old.treeSize}`);
  } catch (error) {
    return failed('log-consistency', error);
  }
}
