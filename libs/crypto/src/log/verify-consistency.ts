import { TransparencyLogError } from './errors.js';
import { HASH_SIZE_BYTES, hashChildren, hashesEqual } from './hashing.js';
import { isPowerOfTwo, isTreeCount } from './tree-math.js';

function fail(message: string): never {
  throw new TransparencyLogError('LOG_CONSISTENCY_PROOF_INVALID', message);
}

/** The trivial cases RFC 9162 §2.1.4 leaves to the caller: equal sizes and an empty old tree. */
function verifyTrivialConsistency(
  oldSize: number,
  newSize: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): void {
  if (proof.length !== 0) fail(`a consistency proof from size ${oldSize} to ${newSize} must be empty`);
  if (oldSize === newSize && !hashesEqual(oldRoot, newRoot)) {
    fail(`two different roots for the same tree size ${oldSize}`);
  }
}

/**
 * Verifies that the tree of `newSize` leaves with root `newRoot` extends the tree of `oldSize`
 * leaves with root `oldRoot` (RFC 9162 §2.1.4.2). Pure and offline. Beyond the RFC's algorithm
 * (0 < oldSize < newSize): equal sizes need equal roots and an empty proof; size 0 is consistent
 * with everything (empty proof). Throws LOG_CONSISTENCY_PROOF_INVALID on any failure.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): void {
  if (!isTreeCount(oldSize) || !isTreeCount(newSize) || oldSize > newSize) {
    fail(`tree size ${newSize} cannot extend tree size ${oldSize}`);
  }
  if (oldSize === 0 || oldSize === newSize) {
    verifyTrivialConsistency(oldSize, newSize, proof, oldRoot, newRoot);
    return;
  }
  // RFC 9162 §2.1.4.2 step 1.
  if (proof.length === 0) fail(`consistency proof from size ${oldSize} to ${newSize} is empty`);
  if (proof.some((p) => p.length !== HASH_SIZE_BYTES)) fail('a proof element is not 32 bytes');
  const { oldComputed, newComputed } = rootsFromConsistencyProof(oldSize, newSize, proof, oldRoot);
  if (!hashesEqual(oldComputed, oldRoot)) fail(`consistency proof does not lead to the root of size ${oldSize}`);
  if (!hashesEqual(newComputed, newRoot)) fail(`consistency proof does not lead to the root of size ${newSize}`);
}

/**
 * RFC 9162 §2.1.4.2 steps 1–7 for 0 < oldSize < newSize; returns both recomputed roots (callers
 * that must say which root a bad proof misses compare them themselves). Throws
 * LOG_CONSISTENCY_PROOF_INVALID when the proof's length does not fit the sizes.
 */
export function rootsFromConsistencyProof(
  oldSize: number,
  newSize: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
): { oldComputed: Uint8Array; newComputed: Uint8Array } {
  // Step 2: when the old tree is a complete subtree its root is the proof's implied first node.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  const [first, ...rest] = path;
  if (first === undefined) fail('consistency proof is empty');
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = first;
  let sr = first;
  for (const c of rest) {
    if (sn === 0) fail(`proof is longer than sizes ${oldSize} → ${newSize} allow`);
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) fail(`proof is shorter than sizes ${oldSize} → ${newSize} need`);
  return { oldComputed: fr, newComputed: sr };
}
