import type { NodeId } from './tree-math.js';

/** A node hash to persist: a leaf (level 0) or the root of a newly completed subtree. */
export interface StoredNode extends NodeId {
  readonly hash: Uint8Array;
}

/** One batch of appended leaves and the complete-subtree nodes they completed. */
export interface LogAppendBatch {
  /** Tree size the batch was computed against; the store must still be at this size. */
  readonly fromTreeSize: number;
  /** Tree size after the batch (fromTreeSize + leafHashes.length). */
  readonly toTreeSize: number;
  /** RFC 9162 leaf hashes in leaf-index order, starting at index fromTreeSize. */
  readonly leafHashes: readonly Uint8Array[];
  /** Every node (level ≥ 0) whose subtree became complete, leaves included. */
  readonly nodes: readonly StoredNode[];
}

/** A signed checkpoint as stored: the signed-note text plus its parsed tree head. */
export interface StoredCheckpoint {
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  /** The complete signed note (C2SP tlog-checkpoint body + signature lines). */
  readonly note: string;
}

/**
 * Persistence of a transparency log: leaf hashes, the hash of every complete subtree (a "tile"
 * node addressed by level and index), the tree size and signed checkpoints. No policy: the
 * {@link TransparencyLog} computes every hash; a store only keeps and returns them.
 *
 * Contract every implementation (in-memory, PostgreSQL) must honour:
 * - `appendBatch` is atomic: all of the batch (nodes, leaf index entries, new size) or nothing.
 *   It throws TransparencyLogError LOG_APPEND_CONFLICT when the stored size is not
 *   `batch.fromTreeSize` (another writer got there first), so writers can use optimistic locking.
 * - Stored nodes never change once written (a complete subtree's hash is final).
 * - `readNodes` returns hashes in the order asked, and throws LOG_NODE_MISSING if any is absent.
 */
export interface LogStore {
  /** Number of leaves appended so far. */
  readTreeSize(): Promise<number>;
  /** Hashes of the given complete-subtree nodes, in the order of `ids`. */
  readNodes(ids: readonly NodeId[]): Promise<Uint8Array[]>;
  /** Leaf index of each leaf hash, or undefined when the leaf is not in the log. */
  findLeafIndices(leafHashes: readonly Uint8Array[]): Promise<(number | undefined)[]>;
  /** Atomically appends one batch (see the interface contract). */
  appendBatch(batch: LogAppendBatch): Promise<void>;
  /** Records a signed checkpoint; a checkpoint for a tree size already stored is kept unchanged. */
  writeCheckpoint(checkpoint: StoredCheckpoint): Promise<void>;
  /** The checkpoint with the largest tree size, if any. */
  readLatestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /** The checkpoint for exactly `treeSize`, if one was signed. */
  readCheckpoint(treeSize: number): Promise<StoredCheckpoint | undefined>;
}
