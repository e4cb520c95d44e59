import { TransparencyLogError } from './errors.js';
import type { LogAppendBatch, LogStore, StoredCheckpoint } from './log-store.js';
import type { NodeId } from './tree-math.js';

const nodeKey = (id: NodeId): string => `${id.level}/${id.index}`;
const hashKey = (hash: Uint8Array): string => Buffer.from(hash).toString('hex');

/**
 * A {@link LogStore} in process memory: for tests, benchmarks and the offline tools. Data is lost
 * when the process ends. Copies every hash in and out so callers cannot mutate stored state.
 */
export class InMemoryLogStore implements LogStore {
  private treeSize = 0;
  private readonly nodes = new Map<string, Uint8Array>();
  private readonly leafIndexByHash = new Map<string, number>();
  private readonly checkpoints = new Map<number, StoredCheckpoint>();
  private latestCheckpointSize: number | undefined;

  readTreeSize(): Promise<number> {
    return Promise.resolve(this.treeSize);
  }

  readNodes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    const hashes: Uint8Array[] = [];
    for (const id of ids) {
      const hash = this.nodes.get(nodeKey(id));
      if (hash === undefined) {
        const message = `no stored node at level ${id.level}, index ${id.index}`;
        return Promise.reject(new TransparencyLogError('LOG_NODE_MISSING', message));
      }
      hashes.push(Uint8Array.from(hash));
    }
    return Promise.resolve(hashes);
  }

  findLeafIndices(leafHashes: readonly Uint8Array[]): Promise<(number | undefined)[]> {
    return Promise.resolve(leafHashes.map((hash) => this.leafIndexByHash.get(hashKey(hash))));
  }

  appendBatch(batch: LogAppendBatch): Promise<void> {
    if (batch.fromTreeSize !== this.treeSize) {
      return Promise.reject(
        new TransparencyLogError(
          'LOG_APPEND_CONFLICT',
          `append computed for tree size ${batch.fromTreeSize} but the log has ${this.treeSize} leaves`,
        ),
      );
    }
    batch.leafHashes.forEach((hash, offset) => {
      const key = hashKey(hash);
      if (!this.leafIndexByHash.has(key)) this.leafIndexByHash.set(key, batch.fromTreeSize + offset);
    });
    for (const node of batch.nodes) this.nodes.set(nodeKey(node), Uint8Array.from(node.hash));
    this.treeSize = batch.toTreeSize;
    return Promise.resolve();
  }

  writeCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    if (!this.checkpoints.has(checkpoint.treeSize)) {
      this.checkpoints.set(checkpoint.treeSize, { ...checkpoint, rootHash: Uint8Array.from(checkpoint.rootHash) });
      if (this.latestCheckpointSize === undefined || checkpoint.treeSize > this.latestCheckpointSize) {
        this.latestCheckpointSize = checkpoint.treeSize;
      }
    }
    return Promise.resolve();
  }

  readLatestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const size = this.latestCheckpointSize;
    return this.readCheckpoint(size ?? -1);
  }

  readCheckpoint(treeSize: number): Promise<StoredCheckpoint | undefined> {
    const stored = this.checkpoints.get(treeSize);
    return Promise.resolve(stored && { ...stored, rootHash: Uint8Array.from(stored.rootHash) });
  }
}
