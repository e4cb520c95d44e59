import assert from 'node:assert/strict';
import { beforeEach, describe, mock, test } from 'node:test';
import {
  buildAttestation,
  type FrontierAppend,
  InMemoryLogStore,
  LogFrontier,
  serializeAttestationEnvelope,
  signAttestation,
  type Signer,
} from '#ingrain/crypto';
import { sampleDeviceForTests, SoftwareSignerForTests } from '#ingrain/crypto/testing';
import { Metrics } from '../metrics/metrics.js';
import { PgLogStore } from '../repositories/pg-log-store.js';
import { automock, type Automocked, callsOf, stub } from '../testing/automock.js';
import { mockTransactions, type MockRepositories } from '../testing/transactions.js';
import { TrustService } from '../trust/trust.service.js';
import { LogService } from './log.service.js';

const attestationSigner = new SoftwareSignerForTests('ingrain-attestation');
const logSigner = new SoftwareSignerForTests('ingrain-log');
const ORIGIN = 'unit.ingrain.example/log';

async function envelopeText(signer: Signer, seed: string): Promise<string> {
  const { input } = sampleDeviceForTests(seed);
  const attestation = buildAttestation({ ...input, serial: `SN-${seed}`, deviceId: `dev-${seed}` });
  return serializeAttestationEnvelope(await signAttestation(attestation, signer));
}

/** A PgLogStore automock backed by an in-memory log (the store's contract without PostgreSQL). */
function memoryStore(memory: InMemoryLogStore): Automocked<PgLogStore> {
  const store = automock(PgLogStore);
  for (const name of [
    'readTreeSize',
    'readNodes',
    'findLeafIndices',
    'appendBatch',
    'writeCheckpoint',
    'readLatestCheckpoint',
    'readCheckpoint',
  ] as const) {
    stub(store, name, memory[name].bind(memory) as never);
  }
  stub(store, 'lockWriters', () => Promise.resolve());
  // PgLogStore's one-statement append, by its contract: nothing written unless the leaf is new and
  // the memory log still ends at the frontier.
  stub(store, 'readFrontier', async () => {
    const treeSize = await memory.readTreeSize();
    const ids = LogFrontier.nodeIds(treeSize);
    return LogFrontier.of(treeSize, ids.length === 0 ? [] : await memory.readNodes(ids));
  });
  stub(store, 'appendOnFrontier', async (frontier: LogFrontier, step: FrontierAppend) => {
    const leafHash = step.nodes[0]!.hash;
    const [present] = await memory.findLeafIndices([leafHash]);
    const treeSize = await memory.readTreeSize();
    if (present !== undefined) return { kind: 'present', leafIndex: present, treeSize };
    const edge = await memory.readNodes(LogFrontier.nodeIds(treeSize)).catch(() => []);
    const same = frontier.nodes.every((node, i) => Buffer.compare(node.hash, edge[i] ?? new Uint8Array()) === 0);
    if (treeSize !== frontier.treeSize || !same) return { kind: 'stale' };
    await memory.appendBatch({
      fromTreeSize: treeSize,
      toTreeSize: treeSize + 1,
      leafHashes: [leafHash],
      nodes: step.nodes,
    });
    return { kind: 'appended' };
  });
  return store;
}

describe('LogService', () => {
  let tx: MockRepositories;
  let service: LogService;

  beforeEach(() => {
    const transactions = mockTransactions();
    tx = transactions.tx;
    const trust = automock(TrustService, { attestationSigner, logSigner, logOrigin: ORIGIN });
    service = new LogService(transactions.transactions, trust, new Metrics());
  });

  test('an append runs in the store’s transaction, after the writers’ lock, and is idempotent', async () => {
    const memory = new InMemoryLogStore();
    const inTx = memoryStore(memory);
    const store = automock(PgLogStore);
    stub(store, 'inTransaction', ((work: (s: PgLogStore) => Promise<unknown>) => work(inTx)) as never);
    const text = await envelopeText(attestationSigner, 'a');

    assert.deepEqual(await service.appendAttestation(store, text), {
      leafIndex: 0,
      treeSize: 1,
      alreadyPresent: false,
    });
    assert.equal(callsOf(inTx, 'lockWriters').length, 1);
    assert.deepEqual(await service.appendAttestation(store, text), { leafIndex: 0, treeSize: 1, alreadyPresent: true });
    const other = await envelopeText(attestationSigner, 'b');
    assert.equal((await service.appendAttestation(store, other)).leafIndex, 1);
  });

  test('an envelope that is not JSON, not the normal form or not signed by the attestation key is refused', async () => {
    const store = automock(PgLogStore); // strict: any store call would throw "not mocked"
    const text = await envelopeText(attestationSigner, 'a');
    await assert.rejects(service.appendAttestation(store, 'nope'), { code: 'TRUST_ENVELOPE_NOT_NORMAL' });
    await assert.rejects(service.appendAttestation(store, `${text} `), { code: 'TRUST_ENVELOPE_NOT_NORMAL' });
    const forged = await envelopeText(new SoftwareSignerForTests('ingrain-attestation'), 'a');
    await assert.rejects(service.appendAttestation(store, forged));
    assert.equal(callsOf(store, 'inTransaction').length, 0);
  });

  test('ensureCheckpoint signs the first checkpoint in a transaction, under the writers’ lock', async () => {
    const memory = new InMemoryLogStore();
    Object.assign(tx, { log: memoryStore(memory) });
    const checkpoint = await service.ensureCheckpoint();
    assert.equal(checkpoint.treeSize, 0);
    assert.equal(callsOf(tx.log, 'lockWriters').length, 1);
    assert.equal((await memory.readLatestCheckpoint())?.treeSize, 0);
  });

  test('appends sign nothing; concurrent readers needing a covering checkpoint share one signature', async () => {
    const memory = new InMemoryLogStore();
    Object.assign(tx, { log: memoryStore(memory) });
    await service.ensureCheckpoint();
    const store = automock(PgLogStore);
    stub(store, 'inTransaction', ((work: (s: PgLogStore) => Promise<unknown>) => work(tx.log)) as never);
    for (const seed of ['a', 'b', 'c'])
      await service.appendAttestation(store, await envelopeText(attestationSigner, seed));
    assert.equal((await memory.readLatestCheckpoint())?.treeSize, 0, 'no checkpoint signed by the appends');
    const sign = mock.method(logSigner, 'sign');
    const answers = await Promise.all([
      service.currentCheckpoint(),
      service.currentCheckpoint(),
      service.currentCheckpoint(),
    ]);
    assert.deepEqual(
      answers.map((checkpoint) => checkpoint.treeSize),
      [3, 3, 3],
    );
    assert.equal(sign.mock.callCount(), 1, 'one signature for the three requests');
    await service.currentCheckpoint();
    assert.equal(sign.mock.callCount(), 1, 'a covering checkpoint is read, not signed again');
    sign.mock.restore();
  });
});
