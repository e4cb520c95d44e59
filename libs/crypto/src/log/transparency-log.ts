import type { Signer } from '../signer.js';
import type { Checkpoint } from './checkpoint.js';
import { CheckpointVerifier, signCheckpoint } from './checkpoint-note.js';
import { TransparencyLogError } from './errors.js';
import { emptyTreeHash, hashChildren, hashLeaf } from './hashing.js';
import type { LogStore, StoredCheckpoint, StoredNode } from './log-store.js';
import { consistencyProofRanges, inclusionProofRanges } from './proof-plan.js';
import { completeSubtreesOf, isTreeCount, type LeafRange, type NodeId } from './tree-math.js';
import { verifyConsistency } from './verify-consistency.js';

/** Where one appended leaf landed. */
export interface AppendedLeaf {
  readonly leafIndex: number;
  readonly leafHash: Uint8Array;
  /** True when the same leaf bytes were already in the log: nothing was appended for it. */
  readonly alreadyPresent: boolean;
}

export interface TransparencyLogOptions {
  readonly store: LogStore;
  /** Checkpoint origin and note key name, e.g. `ingrain.example/log/factory-1`. */
  readonly origin: string;
  /** The log key (ECDSA P-256) that signs checkpoints. */
  readonly signer: Signer;
}

const nodeKey = (id: NodeId): string => `${id.level}/${id.index}`;

function outOfRange(message: string): never {
  throw new TransparencyLogError('LOG_INDEX_OUT_OF_RANGE', message);
}

/**
 * An append-only RFC 9162 Merkle tree log with C2SP signed checkpoints. Owns every hashing and
 * signing decision; the {@link LogStore} only persists. Appends and checkpoint signing are
 * serialised within this object; across processes the store's optimistic size check
 * (LOG_APPEND_CONFLICT) keeps writers from overwriting each other. Proofs need O(log n) node reads,
 * fetched in one `readNodes` call.
 */
export class TransparencyLog {
  private readonly store: LogStore;
  private readonly signer: Signer;
  private readonly checkpointVerifier: CheckpointVerifier;
  private tail: Promise<unknown> = Promise.resolve();

  /** Throws LOG_KEY_INVALID when the signer's public key is not P-256 or the origin is invalid. */
  constructor(options: TransparencyLogOptions) {
    this.store = options.store;
    this.signer = options.signer;
    this.checkpointVerifier = new CheckpointVerifier(options.origin, options.signer.publicKeySpkiDer);
  }

  get origin(): string {
    return this.checkpointVerifier.origin;
  }

  /**
   * Appends leaves (opaque bytes, hashed as RFC 9162 leaves) in one atomic store batch and returns
   * where each one is. Idempotent per leaf: bytes already in the log (or repeated in the batch) keep
   * their first index and are not appended again, so a retried job cannot duplicate its
   * attestation. Does not sign a checkpoint: call {@link checkpoint} after one or many batches.
   */
  append(leaves: readonly Uint8Array[]): Promise<AppendedLeaf[]> {
    return this.serialised(() => this.appendNow(leaves));
  }

  /** Number of leaves in the log. */
  treeSize(): Promise<number> {
    return this.store.readTreeSize();
  }

  /** MTH of the first `treeSize` leaves (RFC 9162 §2.1.1). LOG_INDEX_OUT_OF_RANGE past the end. */
  async rootHash(treeSize: number): Promise<Uint8Array> {
    await this.requireSize(treeSize);
    if (treeSize === 0) return emptyTreeHash();
    const [root] = await this.rangeHashes([{ begin: 0, end: treeSize }]);
    return root ?? missing({ level: 0, index: 0 });
  }

  /**
   * Inclusion proof PATH(leafIndex, D[treeSize]) (RFC 9162 §2.1.3.1) for any tree size the log has
   * reached, so proofs against older checkpoints stay available. LOG_INDEX_OUT_OF_RANGE unless
   * 0 ≤ leafIndex < treeSize ≤ current size.
   */
  async inclusionProof(leafIndex: number, treeSize: number): Promise<Uint8Array[]> {
    await this.requireSize(treeSize);
    if (!isTreeCount(leafIndex) || leafIndex >= treeSize) {
      outOfRange(`leaf ${leafIndex} is not inside tree size ${treeSize}`);
    }
    return this.rangeHashes(inclusionProofRanges(leafIndex, treeSize));
  }

  /**
   * Consistency proof PROOF(oldSize, D[newSize]) (RFC 9162 §2.1.4.1); empty when oldSize is 0 or
   * equals newSize. LOG_INDEX_OUT_OF_RANGE unless 0 ≤ oldSize ≤ newSize ≤ current size.
   */
  async consistencyProof(oldSize: number, newSize: number): Promise<Uint8Array[]> {
    await this.requireSize(newSize);
    if (!isTreeCount(oldSize) || oldSize > newSize) outOfRange(`size ${oldSize} is not ≤ ${newSize}`);
    if (oldSize === 0 || oldSize === newSize) return [];
    return this.rangeHashes(consistencyProofRanges(oldSize, newSize));
  }

  /**
   * Signs (once per tree size) and stores a checkpoint for the current tree, returning it; when the
   * latest stored checkpoint already covers the current size it is returned without signing again.
   * Before signing it proves the new tree consistent with the latest checkpoint and, after, checks
   * the signature with the log's public key, so a corrupted store or a wrong HSM key never yields a
   * published checkpoint (LOG_STATE_INCONSISTENT / LOG_CONSISTENCY_PROOF_INVALID / checkpoint codes).
   */
  checkpoint(): Promise<StoredCheckpoint> {
    return this.serialised(() => this.checkpointNow());
  }

  /** The latest signed checkpoint, if the log ever signed one. */
  latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.store.readLatestCheckpoint();
  }

  /** The checkpoint signed at exactly `treeSize`, if any. */
  checkpointAt(treeSize: number): Promise<StoredCheckpoint | undefined> {
    return this.store.readCheckpoint(treeSize);
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async requireSize(treeSize: number): Promise<void> {
    const current = await this.store.readTreeSize();
    if (!isTreeCount(treeSize) || treeSize > current) outOfRange(`tree size ${treeSize} exceeds ${current}`);
  }

  /** MTH of each range, reading every needed stored node in a single call. */
  private async rangeHashes(ranges: readonly LeafRange[]): Promise<Uint8Array[]> {
    const pieces = ranges.map(completeSubtreesOf);
    const unique = new Map<string, NodeId>();
    for (const id of pieces.flat()) unique.set(nodeKey(id), id);
    const ids = [...unique.values()];
    const hashes = await this.store.readNodes(ids);
    const byKey = new Map(ids.map((id, i) => [nodeKey(id), hashes[i]] as const));
    return pieces.map((nodes) => foldRight(nodes.map((id) => byKey.get(nodeKey(id)))));
  }

  private async appendNow(leaves: readonly Uint8Array[]): Promise<AppendedLeaf[]> {
    const leafHashes = leaves.map(hashLeaf);
    const known = await this.store.findLeafIndices(leafHashes);
    const fromTreeSize = await this.store.readTreeSize();
    const builder = new AppendBuilder(fromTreeSize, await this.frontier(fromTreeSize));
    const results = leafHashes.map((leafHash, i): AppendedLeaf => {
      const existing = known[i] ?? builder.indexOf(leafHash);
      if (existing !== undefined) return { leafIndex: existing, leafHash, alreadyPresent: true };
      return { leafIndex: builder.add(leafHash), leafHash, alreadyPresent: false };
    });
    if (builder.leafHashes.length > 0) {
      await this.store.appendBatch({
        fromTreeSize,
        toTreeSize: fromTreeSize + builder.leafHashes.length,
        leafHashes: builder.leafHashes,
        nodes: builder.nodes,
      });
    }
    return results;
  }

  /** The maximal complete subtrees of the current tree: every left sibling an append can need. */
  private async frontier(treeSize: number): Promise<StoredNode[]> {
    const ids = completeSubtreesOf({ begin: 0, end: treeSize });
    const hashes = await this.store.readNodes(ids);
    return ids.map((id, i) => ({ ...id, hash: hashes[i] ?? missing(id) }));
  }

  private async checkpointNow(): Promise<StoredCheckpoint> {
    const treeSize = await this.store.readTreeSize();
    const latest = await this.store.readLatestCheckpoint();
    if (latest && latest.treeSize > treeSize) {
      throw new TransparencyLogError(
        'LOG_STATE_INCONSISTENT',
        `latest checkpoint covers ${latest.treeSize} leaves but the store holds ${treeSize}`,
      );
    }
    if (latest?.treeSize === treeSize) return latest;
    const rootHash = await this.rootHash(treeSize);
    if (latest) {
      const proof = await this.consistencyProof(latest.treeSize, treeSize);
      verifyConsistency(latest.treeSize, treeSize, proof, latest.rootHash, rootHash);
    }
    const checkpoint: Checkpoint = { origin: this.origin, treeSize, rootHash, extensionLines: [] };
    const note = await signCheckpoint(checkpoint, this.signer);
    this.checkpointVerifier.verify(note);
    const stored: StoredCheckpoint = { treeSize, rootHash, note };
    await this.store.writeCheckpoint(stored);
    return stored;
  }
}

function missing(id: NodeId): never {
  throw new TransparencyLogError('LOG_NODE_MISSING', `no stored node at level ${id.level}, index ${id.index}`);
}

/** MTH of a range from its complete subtrees, largest first: h0 ‖ (h1 ‖ (h2 ‖ …)). */
function foldRight(hashes: readonly (Uint8Array | undefined)[]): Uint8Array {
  let acc = hashes[hashes.length - 1];
  if (acc === undefined) throw new TransparencyLogError('LOG_NODE_MISSING', 'a proof node was not returned');
  for (let i = hashes.length - 2; i >= 0; i--) {
    const left = hashes[i];
    if (left === undefined) throw new TransparencyLogError('LOG_NODE_MISSING', 'a proof node was not returned');
    acc = hashChildren(left, acc);
  }
  return acc;
}

/** Computes the nodes one append batch creates: amortised two per leaf, never a rehash. */
class AppendBuilder {
  readonly leafHashes: Uint8Array[] = [];
  readonly nodes: StoredNode[] = [];
  private readonly known = new Map<string, Uint8Array>();
  private readonly batchIndexByHash = new Map<string, number>();

  constructor(
    private treeSize: number,
    frontier: readonly StoredNode[],
  ) {
    for (const node of frontier) this.known.set(nodeKey(node), node.hash);
  }

  indexOf(leafHash: Uint8Array): number | undefined {
    return this.batchIndexByHash.get(Buffer.from(leafHash).toString('hex'));
  }

  /** Adds a leaf at the next index and every subtree it completes; returns the leaf index. */
  add(leafHash: Uint8Array): number {
    const leafIndex = this.treeSize++;
    this.batchIndexByHash.set(Buffer.from(leafHash).toString('hex'), leafIndex);
    this.leafHashes.push(leafHash);
    let node: StoredNode = { level: 0, index: leafIndex, hash: leafHash };
    this.keep(node);
    while (node.index % 2 === 1) {
      const leftId: NodeId = { level: node.level, index: node.index - 1 };
      const left = this.known.get(nodeKey(leftId)) ?? missing(leftId);
      node = { level: node.level + 1, index: (node.index - 1) / 2, hash: hashChildren(left, node.hash) };
      this.keep(node);
    }
    return leafIndex;
  }

  private keep(node: StoredNode): void {
    this.nodes.push(node);
    this.known.set(nodeKey(node), node.hash);
  }
}
