import { TransparencyLogError } from './errors.js';
import { emptyTreeHash, HASH_SIZE_BYTES, hashChildren } from './hashing.js';
import type { StoredNode } from './log-store.js';
import { completeSubtreesOf, isTreeCount, type NodeId } from './tree-math.js';

/** What appending one leaf to a {@link LogFrontier} gives. */
export interface FrontierAppend {
  /** The new leaf's index (the frontier's tree size). */
  readonly leafIndex: number;
  /**
   * Every node the leaf completes, leaf first then each new parent: exactly the nodes a
   * TransparencyLog append of this leaf stores (LogAppendBatch.nodes).
   */
  readonly nodes: readonly StoredNode[];
  /** The frontier of the tree with the leaf appended. */
  readonly next: LogFrontier;
}

function inconsistent(message: string): never {
  throw new TransparencyLogError('LOG_STATE_INCONSISTENT', message);
}

/**
 * The right edge of an RFC 9162 tree: its size and the hashes of its maximal complete subtrees,
 * largest first (completeSubtreesOf([0, size)), at most ⌈log2 size⌉ + 1 of them). That is all an
 * append needs: every left sibling a new leaf can combine with is one of them, and the root is
 * their right fold. Immutable; appending gives the next frontier and the nodes to store, with the
 * same hashes a {@link TransparencyLog} append computes. A writer can keep one between appends
 * instead of reading the edge from its store each time, as long as it checks the store still
 * ends there (same size, same edge nodes) when it writes.
 */
export class LogFrontier {
  private constructor(
    readonly treeSize: number,
    /** The edge nodes, largest subtree first. */
    readonly nodes: readonly StoredNode[],
  ) {}

  /** The frontier of the empty tree. */
  static empty(): LogFrontier {
    return new LogFrontier(0, []);
  }

  /** The ids of the edge nodes of a tree of `treeSize` leaves, largest first: what to read to build one. */
  static nodeIds(treeSize: number): NodeId[] {
    if (!isTreeCount(treeSize)) inconsistent(`tree size ${treeSize} is not a leaf count`);
    return completeSubtreesOf({ begin: 0, end: treeSize });
  }

  /**
   * The frontier of a tree of `treeSize` leaves from the hashes of its edge nodes, in the order of
   * {@link nodeIds}. LOG_STATE_INCONSISTENT when the count or a hash's length is wrong.
   */
  static of(treeSize: number, hashes: readonly Uint8Array[]): LogFrontier {
    const ids = LogFrontier.nodeIds(treeSize);
    if (hashes.length !== ids.length) {
      inconsistent(`a tree of ${treeSize} leaves has ${ids.length} edge nodes, not ${hashes.length}`);
    }
    const nodes = ids.map((id, i): StoredNode => {
      const hash = hashes[i];
      if (hash?.length !== HASH_SIZE_BYTES) inconsistent(`edge node ${id.level}/${id.index} is not a SHA-256 hash`);
      return { level: id.level, index: id.index, hash: Uint8Array.from(hash) };
    });
    return new LogFrontier(treeSize, nodes);
  }

  /** Appends one leaf (its RFC 9162 leaf hash, hashLeaf(bytes)). Pure: this frontier is unchanged. */
  append(leafHash: Uint8Array): FrontierAppend {
    if (leafHash.length !== HASH_SIZE_BYTES) inconsistent('a leaf hash is not a SHA-256 hash');
    const leafIndex = this.treeSize;
    const edge = [...this.nodes];
    let node: StoredNode = { level: 0, index: leafIndex, hash: Uint8Array.from(leafHash) };
    const created: StoredNode[] = [node];
    while (node.index % 2 === 1) {
      const left = edge.pop();
      if (left?.level !== node.level || left.index !== node.index - 1) {
        inconsistent(`the edge lacks the left sibling of node ${node.level}/${node.index}`);
      }
      node = { level: node.level + 1, index: (node.index - 1) / 2, hash: hashChildren(left.hash, node.hash) };
      created.push(node);
    }
    edge.push(node);
    return { leafIndex, nodes: created, next: new LogFrontier(leafIndex + 1, edge) };
  }

  /** MTH of the tree (RFC 9162 §2.1.1): the right fold of the edge, or the empty tree's hash. */
  rootHash(): Uint8Array {
    const last = this.nodes.at(-1);
    if (last === undefined) return emptyTreeHash();
    return this.nodes.slice(0, -1).reduceRight((acc, node) => hashChildren(node.hash, acc), last.hash);
  }
}
