import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Signer } from '../signer.js';
import { verifyCheckpoint } from './checkpoint-note.js';
import type { LogAppendBatch } from './log-store.js';
import { InMemoryLogStore } from './memory-log-store.js';
import { NodeTestSigner } from './testing/node-signer.js';
import { TransparencyLog } from './transparency-log.js';
import type { NodeId } from './tree-math.js';
import { verifyConsistency } from './verify-consistency.js';
import { verifyInclusion } from './verify-inclusion.js';

const ORIGIN = 'ingrain.example/log/unit';
const leaf = (i: number): Uint8Array => new TextEncoder().encode(`attestation ${i}`);
const leaves = (from: number, to: number): Uint8Array[] => Array.from({ length: to - from }, (_, i) => leaf(from + i));

/** Counts what the log asks of its store (a real store underneath, no mocks). */
class CountingStore extends InMemoryLogStore {
  nodesRead = 0;
  readCalls = 0;
  nodesWritten = 0;
  override readNodes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    this.readCalls++;
    this.nodesRead += ids.length;
    return super.readNodes(ids);
  }
  override appendBatch(batch: LogAppendBatch): Promise<void> {
    this.nodesWritten += batch.nodes.length;
    return super.appendBatch(batch);
  }
}

const codeOf = async (work: () => Promise<unknown>): Promise<string | undefined> => {
  try {
    await work();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

void describe('TransparencyLog', () => {
  void test('appends in batches and is idempotent per leaf', async () => {
    const log = new TransparencyLog({ store: new InMemoryLogStore(), origin: ORIGIN, signer: new NodeTestSigner() });
    const first = await log.append([leaf(0), leaf(1), leaf(0)]);
    assert.deepEqual(
      first.map((r) => [r.leafIndex, r.alreadyPresent]),
      [
        [0, false],
        [1, false],
        [0, true],
      ],
    );
    const again = await log.append([leaf(1), leaf(2)]);
    assert.deepEqual(
      again.map((r) => [r.leafIndex, r.alreadyPresent]),
      [
        [1, true],
        [2, false],
      ],
    );
    assert.equal(await log.treeSize(), 3);
  });

  void test('stores amortised < 2 nodes per leaf and proves with O(log n) reads in one call', async () => {
    const store = new CountingStore();
    const log = new TransparencyLog({ store, origin: ORIGIN, signer: new NodeTestSigner() });
    const total = 5000;
    for (let from = 0; from < total; from += 250) await log.append(leaves(from, from + 250));
    assert.ok(store.nodesWritten < 2 * total, `${store.nodesWritten} nodes for ${total} leaves`);

    const root = await log.rootHash(total);
    store.readCalls = 0;
    store.nodesRead = 0;
    const proof = await log.inclusionProof(1234, total);
    assert.equal(store.readCalls, 1);
    assert.ok(store.nodesRead <= 2 * Math.ceil(Math.log2(total)), `${store.nodesRead} node reads`);
    verifyInclusion({ leafBytes: leaf(1234) }, 1234, total, proof, root);

    store.readCalls = 0;
    store.nodesRead = 0;
    const consistency = await log.consistencyProof(3001, total);
    assert.equal(store.readCalls, 1);
    assert.ok(store.nodesRead <= 2 * Math.ceil(Math.log2(total)), `${store.nodesRead} node reads`);
    verifyConsistency(3001, total, consistency, await log.rootHash(3001), root);
  });

  void test('signs one checkpoint per tree size and keeps serving older sizes', async () => {
    const signer = new NodeTestSigner();
    const log = new TransparencyLog({ store: new InMemoryLogStore(), origin: ORIGIN, signer });
    await log.append(leaves(0, 5));
    const cp5 = await log.checkpoint();
    assert.equal((await log.checkpoint()).note, cp5.note);
    assert.equal(signer.signCount, 1);

    await log.append(leaves(5, 12));
    const cp12 = await log.checkpoint();
    assert.equal(signer.signCount, 2);
    assert.equal((await log.latestCheckpoint())?.treeSize, 12);
    assert.equal((await log.checkpointAt(5))?.note, cp5.note);

    const old = verifyCheckpoint(cp5.note, signer.publicKeySpkiDer, ORIGIN);
    const now = verifyCheckpoint(cp12.note, signer.publicKeySpkiDer, ORIGIN);
    verifyConsistency(5, 12, await log.consistencyProof(5, 12), old.rootHash, now.rootHash);
    verifyInclusion({ leafBytes: leaf(3) }, 3, 5, await log.inclusionProof(3, 5), old.rootHash);
  });

  void test('an empty log signs the empty-tree checkpoint', async () => {
    const signer = new NodeTestSigner();
    const log = new TransparencyLog({ store: new InMemoryLogStore(), origin: ORIGIN, signer });
    const cp = verifyCheckpoint((await log.checkpoint()).note, signer.publicKeySpkiDer, ORIGIN);
    assert.equal(cp.treeSize, 0);
    assert.equal(
      Buffer.from(cp.rootHash).toString('hex'),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  void test('concurrent appends from one object are serialised, none is lost', async () => {
    const log = new TransparencyLog({ store: new InMemoryLogStore(), origin: ORIGIN, signer: new NodeTestSigner() });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(leaves(i * 10, i * 10 + 10))));
    const indices = results.flat().map((r) => r.leafIndex);
    assert.deepEqual(
      [...indices].sort((a, b) => a - b),
      Array.from({ length: 200 }, (_, i) => i),
    );
    assert.equal(await log.treeSize(), 200);
  });

  void test('a store that moved on under a writer refuses the stale batch', async () => {
    const store = new InMemoryLogStore();
    const log = new TransparencyLog({ store, origin: ORIGIN, signer: new NodeTestSigner() });
    await log.append(leaves(0, 3));
    const stale = { fromTreeSize: 2, toTreeSize: 3, leafHashes: [], nodes: [] };
    assert.equal(await codeOf(() => store.appendBatch(stale)), 'LOG_APPEND_CONFLICT');
    assert.equal(await log.treeSize(), 3);
  });

  void test('proof requests outside the tree are refused', async () => {
    const log = new TransparencyLog({ store: new InMemoryLogStore(), origin: ORIGIN, signer: new NodeTestSigner() });
    await log.append(leaves(0, 4));
    assert.equal(await codeOf(() => log.inclusionProof(4, 4)), 'LOG_INDEX_OUT_OF_RANGE');
    assert.equal(await codeOf(() => log.inclusionProof(0, 5)), 'LOG_INDEX_OUT_OF_RANGE');
    assert.equal(await codeOf(() => log.inclusionProof(-1, 4)), 'LOG_INDEX_OUT_OF_RANGE');
    assert.equal(await codeOf(() => log.consistencyProof(3, 2)), 'LOG_INDEX_OUT_OF_RANGE');
    assert.equal(await codeOf(() => log.rootHash(1.5)), 'LOG_INDEX_OUT_OF_RANGE');
    assert.deepEqual(await log.consistencyProof(0, 4), []);
  });

  void test('a signer whose key is not the published one never yields a stored checkpoint', async () => {
    const published = new NodeTestSigner();
    const actual = new NodeTestSigner();
    const wrongKey: Signer = {
      label: 'mixed-up',
      publicKeySpkiDer: published.publicKeySpkiDer,
      sign: (m) => actual.sign(m),
    };
    const log = new TransparencyLog({ store: new InMemoryLogStore(), origin: ORIGIN, signer: wrongKey });
    await log.append(leaves(0, 2));
    assert.equal(await codeOf(() => log.checkpoint()), 'LOG_CHECKPOINT_SIGNATURE_INVALID');
    assert.equal(await log.latestCheckpoint(), undefined);
  });

  void test('a checkpoint beyond the stored tree means a damaged store: refuse to sign', async () => {
    const store = new InMemoryLogStore();
    const log = new TransparencyLog({ store, origin: ORIGIN, signer: new NodeTestSigner() });
    await store.writeCheckpoint({ treeSize: 9, rootHash: new Uint8Array(32), note: 'x' });
    assert.equal(await codeOf(() => log.checkpoint()), 'LOG_STATE_INCONSISTENT');
  });

  void test('a store whose nodes were altered cannot get a checkpoint consistent with the last one', async () => {
    const store = new InMemoryLogStore();
    const log = new TransparencyLog({ store, origin: ORIGIN, signer: new NodeTestSigner() });
    await log.append(leaves(0, 3));
    await log.checkpoint();
    // Rewrite history: a different leaf 2 under the same stored size, then grow.
    const forged = await new TransparencyLog({
      store: new InMemoryLogStore(),
      origin: ORIGIN,
      signer: new NodeTestSigner(),
    }).append([leaf(99)]);
    await store.appendBatch({
      fromTreeSize: 3,
      toTreeSize: 4,
      leafHashes: [],
      nodes: [
        { level: 0, index: 2, hash: forged[0]?.leafHash ?? new Uint8Array() },
        { level: 0, index: 3, hash: new Uint8Array(32) },
        { level: 1, index: 1, hash: new Uint8Array(32) },
        { level: 2, index: 0, hash: new Uint8Array(32) },
      ],
    });
    assert.equal(await codeOf(() => log.checkpoint()), 'LOG_CONSISTENCY_PROOF_INVALID');
  });
});
