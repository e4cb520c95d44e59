import { TransparencyLogError } from './errors.js';
import { HASH_SIZE_BYTES, hashChildren, hashesEqual, hashLeaf } from './hashing.js';
import { inclusionProofRanges } from './proof-plan.js';
import { isTreeCount, largestPowerOfTwoAtMost, log2Exact } from './tree-math.js';
import { type LeafInput, verifyInclusion } from './verify-inclusion.js';

const MAX_TREES = 64;
/** Range keys are `begin·64 + 63` at most: safe integers while begin < 2^47. Larger trees are not cached. */
const MAX_CACHED_TREE_SIZE = 2 ** 46;
const EDGE_KEY = 63; // no complete subtree of a cached tree has 2^63 leaves

function fail(message: string): never {
  throw new TransparencyLogError('LOG_INCLUSION_PROOF_INVALID', message);
}

/** log2(size) when [begin, begin + size) is a complete (aligned power-of-two) subtree, else -1. */
function completeLevel(begin: number, size: number): number {
  let level: number;
  if (size <= 0x40000000) {
    if ((size & (size - 1)) !== 0) return -1;
    level = 31 - Math.clz32(size);
  } else {
    if (largestPowerOfTwoAtMost(size) !== size) return -1;
    level = log2Exact(size);
  }
  return begin % size === 0 ? level : -1;
}

/**
 * A number naming one range of an inclusion path within one tree (no string is built per node).
 * Every range of PATH(m, D[n]) and every parent on the climb is either a complete subtree, named
 * by index·64 + level, or a right-edge range [begin, n), named by begin·64 + 63; no two ranges of
 * one tree share a key.
 */
function rangeKey(begin: number, end: number, treeSize: number): number {
  const size = end - begin;
  const level = completeLevel(begin, size);
  if (level >= 0) return (begin / size) * 64 + level;
  if (end !== treeSize) throw new RangeError(`[${begin}, ${end}) is neither complete nor on the right edge`);
  return begin * 64 + EDGE_KEY;
}

/** The nodes one verified climb used or produced: parallel arrays of keys and hashes. */
interface ProvenPath {
  readonly keys: number[];
  readonly hashes: Uint8Array[];
}

/**
 * Verifies many inclusion proofs against the same trees (same tree size and root), remembering
 * every node hash a successful verification proved, so later proofs stop hashing where their path
 * joins a proven one. Same contract and strictness as {@link verifyInclusion}: each proof must
 * have exactly the RFC 9162 shape, every element that names a proven node must equal it, and
 * every other element is hashed up to the root — so a tampered element always fails, whatever
 * was verified before. (Soundness: a verified path's values are the tree's true node hashes
 * unless SHA-256 collides.) Trees larger than 2^46 leaves are verified without the cache. Not
 * thread-safe across workers: use one per thread.
 */
export class InclusionProofCache {
  private readonly trees = new Map<string, Map<number, Uint8Array>>();
  private nodeCount = 0;
  private lastTree: { size: number; root: Uint8Array; key: string } | undefined;

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
    if (treeSize > MAX_CACHED_TREE_SIZE) return verifyInclusion(leaf, leafIndex, treeSize, proof, rootHash);
    const siblings = inclusionProofRanges(leafIndex, treeSize);
    if (proof.length !== siblings.length) {
      fail(
        `the proof has ${proof.length} elements; leaf ${leafIndex} of tree size ${treeSize} needs ${siblings.length}`,
      );
    }
    if (proof.some((p) => p.length !== HASH_SIZE_BYTES)) fail('a proof element is not 32 bytes');
    const leafHash = 'leafBytes' in leaf ? hashLeaf(leaf.leafBytes) : leaf.leafHash;
    if (leafHash.length !== HASH_SIZE_BYTES) fail('leaf hash is not 32 bytes');
    const treeKey = this.treeKey(treeSize, rootHash);
    const known = this.trees.get(treeKey) ?? new Map<number, Uint8Array>();
    const path = walk(known, treeSize, leafIndex, leafHash, siblings, proof);
    if (!hashesEqual(path.hashes[path.hashes.length - 1] ?? leafHash, rootHash)) {
      fail(`inclusion proof for leaf ${leafIndex} does not lead to the root of tree size ${treeSize}`);
    }
    this.remember(treeKey, known, path);
  }

  /** `size/base64(root)`, remembered for the last tree asked (a batch usually shares one). */
  private treeKey(size: number, root: Uint8Array): string {
    const last = this.lastTree;
    if (last !== undefined && last.size === size && hashesEqual(last.root, root)) return last.key;
    const key = `${size}/${Buffer.from(root).toString('base64')}`;
    this.lastTree = { size, root: root.slice(), key };
    return key;
  }

  /** Stores a verified path; forgets everything when the node or tree budget would be exceeded. */
  private remember(treeKey: string, known: Map<number, Uint8Array>, path: ProvenPath): void {
    if (
      this.nodeCount + path.keys.length > this.maxNodes ||
      (!this.trees.has(treeKey) && this.trees.size >= MAX_TREES)
    ) {
      for (const tree of this.trees.values()) tree.clear();
      this.trees.clear();
      this.nodeCount = 0;
    }
    this.trees.set(treeKey, known);
    for (let i = 0; i < path.keys.length; i++) {
      const key = path.keys[i]!;
      if (!known.has(key)) {
        known.set(key, path.hashes[i]!.slice()); // a copy: callers may reuse their proof buffers
        this.nodeCount++;
      }
    }
  }
}

/** Climbs from the leaf to the root; returns every (range, hash) the climb used or produced. */
function walk(
  known: ReadonlyMap<number, Uint8Array>,
  treeSize: number,
  leafIndex: number,
  leafHash: Uint8Array,
  siblings: readonly { readonly begin: number; readonly end: number }[],
  proof: readonly Uint8Array[],
): ProvenPath {
  let begin = leafIndex;
  let end = leafIndex + 1;
  let currentKey = rangeKey(begin, end, treeSize);
  let hash = leafHash;
  const path: ProvenPath = { keys: [currentKey], hashes: [leafHash] };
  for (let i = 0; i < siblings.length; i++) {
    const sibling = siblings[i]!;
    const element = proof[i] ?? fail('missing proof element');
    const siblingKey = rangeKey(sibling.begin, sibling.end, treeSize);
    const provenSibling = known.get(siblingKey);
    if (provenSibling && !hashesEqual(provenSibling, element)) fail(`proof element ${i} is not the tree's node`);
    const provenCurrent = known.get(currentKey);
    if (provenCurrent && !hashesEqual(provenCurrent, hash)) fail(`the leaf is not the tree's leaf ${leafIndex}`);
    const parentBegin = Math.min(begin, sibling.begin);
    const parentEnd = Math.max(end, sibling.end);
    const parentKey = rangeKey(parentBegin, parentEnd, treeSize);
    const provenParent = known.get(parentKey);
    const reuse = provenSibling && provenParent && provenCurrent;
    hash = reuse ? provenParent : sibling.begin < begin ? hashChildren(element, hash) : hashChildren(hash, element);
    path.keys.push(siblingKey, parentKey);
    path.hashes.push(element, hash);
    begin = parentBegin;
    end = parentEnd;
    currentKey = parentKey;
  }
  return path;
}
