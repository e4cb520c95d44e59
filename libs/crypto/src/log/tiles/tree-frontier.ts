import { TransparencyLogError } from '../errors.js';
import { emptyTreeHash, hashChildren, hashLeaf } from '../hashing.js';
import { completeSubtreesOf, isTreeCount, type NodeId } from '../tree-math.js';

/** A stored node a {@link TreeFrontier} completed while appending. */
export interface CompletedNode extends NodeId {
  readonly hash: Uint8Array;
}

/**
 * The maximal complete subtrees of a tree (its "compact range" from 0): enough to compute the root
 * and to keep appending, O(log n) hashes. Rebuilding a tree from its entries with it costs one leaf
 * hash and < 1 node hash per leaf, no proofs; starting from a kept frontier of size m and reaching
 * the root of a checkpoint of size n proves that tree n extends tree m (it is consistency, without
 * a consistency proof).
 */
export class TreeFrontier {
  #size: number;
  /** Roots of the complete subtrees, largest (leftmost) first: completeSubtreesOf({0, size}). */
  readonly #hashes: Uint8Array[];

  /** An empty tree, or a tree of `size` leaves given its complete-subtree roots, largest first. */
  constructor(size = 0, hashes: readonly Uint8Array[] = []) {
    if (!isTreeCount(size) || completeSubtreesOf({ begin: 0, end: size }).length !== hashes.length) {
      throw new TransparencyLogError('LOG_STATE_INCONSISTENT', `a frontier of size ${size} needs one hash per set bit`);
    }
    this.#size = size;
    this.#hashes = hashes.map((hash) => new Uint8Array(hash));
  }

  get size(): number {
    return this.#size;
  }

  /** The complete-subtree roots, largest first (what to keep to resume later). */
  get hashes(): readonly Uint8Array[] {
    return this.#hashes;
  }

  /** Appends leaf bytes (hashed as RFC 9162 leaves). */
  appendLeaf(leafBytes: Uint8Array, onNode?: (node: CompletedNode) => void): void {
    this.appendLeafHash(hashLeaf(leafBytes), onNode);
  }

  /** Appends one leaf hash; `onNode` sees every complete subtree it finishes (the leaf included). */
  appendLeafHash(leafHash: Uint8Array, onNode?: (node: CompletedNode) => void): void {
    let node = leafHash;
    let level = 0;
    let index = this.#size;
    onNode?.({ level, index, hash: node });
    while (index % 2 === 1) {
      const left = this.#hashes.pop();
      if (left === undefined) throw new TransparencyLogError('LOG_STATE_INCONSISTENT', 'frontier is short of a node');
      node = hashChildren(left, node);
      level++;
      index = (index - 1) / 2;
      onNode?.({ level, index, hash: node });
    }
    this.#hashes.push(node);
    this.#size++;
  }

  /** MTH of the tree so far (RFC 9162 §2.1.1). */
  root(): Uint8Array {
    let acc = this.#hashes[this.#hashes.length - 1];
    if (acc === undefined) return emptyTreeHash();
    for (let i = this.#hashes.length - 2; i >= 0; i--) acc = hashChildren(this.#hashes[i]!, acc);
    return acc;
  }
}
