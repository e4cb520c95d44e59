import { TransparencyLogError } from './errors.js';
import { HASH_SIZE_BYTES, hashChildren, hashesEqual, hashLeaf } from './hashing.js';
import { inclusionProofRanges } from './proof-plan.js';
import { isTreeCount, type LeafRange } from './tree-math.js';
import type { LeafInput } from './verify-inclusion.js';

const rangeKey = (range: LeafRange): string => `${range.begin}-${range.end}`;
const MAX_TREES = 64;

function fail(message: string): never {
  throw new TransparencyLogError('LOG_INCLUSION_PROOF_INVALID', message);
}

/**
 * Verifies many inclusion proofs against the same trees (same tree size and root), remembering
 * every node hash a successful verification proved, so later proofs stop hashing where their path
 * joins a proven one. Same contract and strictness as {@link verifyInclusion}: each proof must
 * have exactly the RFC 9162 shape, every element that names a proven node must equal it, and
 * every other element is hashed up to the root — so a tampered element always fails, whatever
 * was verified before. (Soundness: a verified path's values are the tree's true node hashes
 * unless SHA-256 collides.) Not thread-safe across workers: use one per thread.
 */
export class InclusionProofCache {
  private readonly trees = new Map<string, Map<string, Uint8Array>>();
  private nodeCount = 0;

  constructor(private readonly maxNodes = 1 << 21) {}

  /** Like verifyInclusion; throws LOG_INCLUSION_PROOF_INVALID on any failure. */
  verify(
    leaf: LeafInput,
    leafIndex: number,
    treeSize: number,
    proof: readonly Uint8Array[],
    rootHash: Uint8Array,
  ): void {
    if (!isTreeCount(leafIndex) || !isTreeCount(treeSize) || leafIndex >= treeSize) {
      fail(`leaf index ${leafIndex} is not inside a tree of size ${treeSize}`);
    }
    const siblings = inclusionProofRanges(leafIndex, treeSize);
    if (proof.length !== siblings.length) {
      fail(
        `the proof has ${proof.length} elements; leaf ${leafIndex} of tree size ${treeSize} needs ${siblings.length}`,
      );
    }
    if (proof.some((p) => p.length !== HASH_SIZE_BYTES)) fail('a proof element is not 32 bytes');
    const leafHash = 'leafBytes' in leaf ? hashLeaf(leaf.leafBytes) : leaf.leafHash;
    if (leafHash.length !== HASH_SIZE_BYTES) fail('leaf hash is not 32 bytes');
    const treeKey = `${treeSize}/${Buffer.from(rootHash).toString('base64')}`;
    const known = this.trees.get(treeKey) ?? new Map<string, Uint8Array>();
    const path = this.walk(known, { begin: leafIndex, end: leafIndex + 1 }, leafHash, siblings, proof);
    if (!hashesEqual(path[path.length - 1]?.[1] ?? leafHash, rootHash)) {
      fail(`inclusion proof for leaf ${leafIndex} does not lead to the root of tree size ${treeSize}`);
    }
    this.remember(treeKey, known, path);
  }

  /** Climbs from the leaf to the root; returns every (range, hash) the climb used or produced. */
  private walk(
    known: Map<string, Uint8Array>,
    start: LeafRange,
    startHash: Uint8Array,
    siblings: readonly LeafRange[],
    proof: readonly Uint8Array[],
  ): [LeafRange, Uint8Array][] {
    const path: [LeafRange, Uint8Array][] = [[start, startHash]];
    let current = start;
    let hash = startHash;
    siblings.forEach((sibling, i) => {
      const element = proof[i] ?? fail('missing proof element');
      const provenSibling = known.get(rangeKey(sibling));
      if (provenSibling && !hashesEqual(provenSibling, element)) fail(`proof element ${i} is not the tree's node`);
      const parent = { begin: Math.min(current.begin, sibling.begin), end: Math.max(current.end, sibling.end) };
      const provenCurrent = known.get(rangeKey(current));
      if (provenCurrent && !hashesEqual(provenCurrent, hash)) fail(`the leaf is not the tree's leaf ${start.begin}`);
      const provenParent = known.get(rangeKey(parent));
      const reuse = provenSibling && provenParent && provenCurrent;
      hash = reuse
        ? provenParent
        : sibling.begin < current.begin
          ? hashChildren(element, hash)
          : hashChildren(hash, element);
      path.push([sibling, element], [parent, hash]);
      current = parent;
    });
    return path;
  }

  /** Stores a verified path; forgets everything when the node or tree budget would be exceeded. */
  private remember(treeKey: string, known: Map<string, Uint8Array>, path: readonly [LeafRange, Uint8Array][]): void {
    if (this.nodeCount + path.length > this.maxNodes || (!this.trees.has(treeKey) && this.trees.size >= MAX_TREES)) {
      for (const tree of this.trees.values()) tree.clear();
      this.trees.clear();
      this.nodeCount = 0;
    }
    this.trees.set(treeKey, known);
    for (const [range, hash] of path) {
      const key = rangeKey(range);
      if (!known.has(key)) {
        known.set(key, hash.slice()); // a copy: callers may reuse their proof buffers
        this.nodeCount++;
      }
    }
  }
}
