import { TransparencyLogError } from './errors.js';
import { HASH_SIZE_BYTES, hashChildren, hashesEqual, hashLeaf } from './hashing.js';
import { isTreeCount } from './tree-math.js';

/** The leaf whose inclusion is checked: its raw bytes (hashed here) or its RFC 9162 leaf hash. */
export type LeafInput = { readonly leafBytes: Uint8Array } | { readonly leafHash: Uint8Array };

function leafHashOf(leaf: LeafInput): Uint8Array {
  return 'leafBytes' in leaf ? hashLeaf(leaf.leafBytes) : leaf.leafHash;
}

function fail(message: string): never {
  throw new TransparencyLogError('LOG_INCLUSION_PROOF_INVALID', message);
}

/**
 * Recomputes the root from an inclusion proof with the algorithm of RFC 9162 §2.1.3.2 (steps 1–4)
 * and returns it, or throws LOG_INCLUSION_PROOF_INVALID when the proof's shape cannot belong to
 * (leafIndex, treeSize): index out of range, wrong number of elements, or an element that is not
 * 32 bytes.
 */
export function rootFromInclusionProof(
  leaf: LeafInput,
  leafIndex: number,
  treeSize: number,
  proof: readonly Uint8Array[],
): Uint8Array {
  if (!isTreeCount(leafIndex) || !isTreeCount(treeSize) || leafIndex >= treeSize) {
    fail(`leaf index ${leafIndex} is not inside a tree of size ${treeSize}`);
  }
  let r = leafHashOf(leaf);
  if (r.length !== HASH_SIZE_BYTES) fail('leaf hash is not 32 bytes');
  let fn = leafIndex;
  let sn = treeSize - 1;
  for (const p of proof) {
    if (p.length !== HASH_SIZE_BYTES) fail('a proof element is not 32 bytes');
    if (sn === 0) fail(`proof is longer than a tree of size ${treeSize} allows`);
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      // Skip the levels where this node has no right sibling (the right edge of the tree).
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) fail(`proof is shorter than a tree of size ${treeSize} needs`);
  return r;
}

/**
 * Verifies that `leaf` is at `leafIndex` in the tree of `treeSize` leaves whose root is `rootHash`
 * (RFC 9162 §2.1.3.2). Pure and offline. Returns normally on success; throws
 * TransparencyLogError LOG_INCLUSION_PROOF_INVALID otherwise (including a root mismatch).
 */
export function verifyInclusion(
  leaf: LeafInput,
  leafIndex: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  rootHash: Uint8Array,
): void {
  const computed = rootFromInclusionProof(leaf, leafIndex, treeSize, proof);
  if (!hashesEqual(computed, rootHash)) {
    fail(`inclusion proof for leaf ${leafIndex} does not lead to the root of tree size ${treeSize}`);
  }
}
