import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LogFrontier } from './frontier.js';
import { hashLeaf } from './hashing.js';
import type { LogAppendBatch, StoredNode } from './log-store.js';
import { InMemoryLogStore } from './memory-log-store.js';
import { NodeTestSigner } from './testing/node-signer.js';
import { TransparencyLog } from './transparency-log.js';

const leaf = (i: number): Uint8Array => new TextEncoder().encode(`attestation ${i}`);
const hex = (hash: Uint8Array): string => Buffer.from(hash).toString('hex');
const plain = (nodes: readonly StoredNode[]) => nodes.map((n) => [n.level, n.index, hex(n.hash)]);

/** Records the nodes of every batch the log stores. */
class RecordingStore extends InMemoryLogStore {
  readonly batches: LogAppendBatch[] = [];
  override appendBatch(batch: LogAppendBatch): Promise<void> {
    this.batches.push(batch);
    return super.appendBatch(batch);
  }
}

void describe('LogFrontier', () => {
  void test('appending leaf by leaf stores the very nodes and reaches the very roots of TransparencyLog', async () => {
    const store = new RecordingStore();
    const log = new TransparencyLog({ store, origin: 'ingrain.example/log/unit', signer: new NodeTestSigner() });
    let frontier = LogFrontier.empty();
    assert.equal(hex(frontier.rootHash()), hex(await log.rootHash(0)));
    for (let i = 0; i < 70; i++) {
      const [appended] = await log.append([leaf(i)]);
      const step = frontier.append(hashLeaf(leaf(i)));
      assert.equal(step.leafIndex, appended?.leafIndex);
      assert.deepEqual(plain(step.nodes), plain(store.batches[i]?.nodes ?? []), `nodes of leaf ${i}`);
      frontier = step.next;
      assert.equal(frontier.treeSize, i + 1);
      assert.equal(hex(frontier.rootHash()), hex(await log.rootHash(i + 1)), `root of size ${i + 1}`);
      const ids = LogFrontier.nodeIds(i + 1);
      assert.deepEqual(plain(frontier.nodes), plain(LogFrontier.of(i + 1, await store.readNodes(ids)).nodes));
    }
  });

  void test('a frontier built from the wrong number of hashes, or a hash of the wrong length, is refused', () => {
    const hash = hashLeaf(leaf(0));
    assert.throws(() => LogFrontier.of(3, [hash]), { code: 'LOG_STATE_INCONSISTENT' });
    assert.throws(() => LogFrontier.of(1, [hash.subarray(1)]), { code: 'LOG_STATE_INCONSISTENT' });
    assert.throws(() => LogFrontier.empty().append(hash.subarray(1)), { code: 'LOG_STATE_INCONSISTENT' });
    assert.throws(() => LogFrontier.nodeIds(-1), { code: 'LOG_STATE_INCONSISTENT' });
  });

  void test('append leaves the frontier it was called on unchanged', () => {
    const one = LogFrontier.empty().append(hashLeaf(leaf(0))).next;
    const before = plain(one.nodes);
    one.append(hashLeaf(leaf(1)));
    assert.deepEqual(plain(one.nodes), before);
    assert.equal(one.treeSize, 1);
  });
});
