// The transparency log's PostgreSQL store (PgLogStore) and attestations, on both real databases
// (PGlite and a throwaway PostgreSQL 15 server): driven through TransparencyLog and compared with
// the in-memory store, proofs verified offline, optimistic locking across processes, and the
// provisioning unit (state change + log append + attestation) committed or rolled back as one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type AppendedLeaf,
  hashLeaf,
  InMemoryLogStore,
  type LogStore,
  type Signer,
  TransparencyLog,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from '#ingrain/crypto';
import { SoftwareSignerForTests } from '#ingrain/crypto/testing';
import { CONSTRAINTS, Database, DatabaseError } from '../../apps/api/src/database/index.js';
import { AttestationRepository, DeviceRepository, PgLogStore } from '../../apps/api/src/repositories/index.js';
import { DATABASE_KINDS, newDeviceFor, seedProduction, useTestDatabases } from '../support/database.js';

const ORIGIN = 'ingrain.example/log/integration';
const leaf = (i: number): Uint8Array => new TextEncoder().encode(`attestation ${i}`);
const leaves = (from: number, to: number): Uint8Array[] => Array.from({ length: to - from }, (_, i) => leaf(from + i));

/** A signer that counts signatures (a real key underneath). */
class CountingSigner implements Signer {
  signCount = 0;
  private readonly inner = new SoftwareSignerForTests('log-key');
  readonly label = 'log-key';
  readonly publicKeySpkiDer = this.inner.publicKeySpkiDer;
  sign(message: Uint8Array): Promise<Uint8Array> {
    this.signCount++;
    return this.inner.sign(message);
  }
}

const logOver = (store: LogStore, signer: Signer = new CountingSigner()): TransparencyLog =>
  new TransparencyLog({ store, origin: ORIGIN, signer });

const codeOf = async (work: () => Promise<unknown>): Promise<string | undefined> => {
  try {
    await work();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

const positions = (appended: readonly AppendedLeaf[]): [number, boolean][] =>
  appended.map((a) => [a.leafIndex, a.alreadyPresent]);

/** An attestation envelope stand-in: the repository stores the text, the log hashes its bytes. */
const envelopeFor = (serial: string): string =>
  JSON.stringify({ payload: Buffer.from(serial).toString('base64'), payloadType: 'test', signatures: [] });

for (const kind of DATABASE_KINDS) {
  void describe(`API persistence on ${kind}: transparency log store and attestations`, () => {
    const openDatabase = useTestDatabases(kind);

    void test('PgLogStore behaves like the in-memory store: same indices, roots and proofs', async () => {
      const { database } = await openDatabase();
      const memory = logOver(new InMemoryLogStore());
      const pg = logOver(new PgLogStore(database.kysely));
      const batches = [
        leaves(0, 1),
        leaves(1, 3),
        [leaf(1), ...leaves(3, 10), leaf(4)],
        leaves(10, 60),
        leaves(60, 301),
      ];
      for (const batch of batches) {
        assert.deepEqual(positions(await pg.append(batch)), positions(await memory.append(batch)));
      }
      assert.equal(await pg.treeSize(), 301);
      for (const size of [1, 2, 3, 7, 64, 100, 301]) {
        assert.deepEqual(await pg.rootHash(size), await memory.rootHash(size));
      }
      const root = await pg.rootHash(301);
      for (const index of [0, 1, 2, 99, 255, 256, 300]) {
        const proof = await pg.inclusionProof(index, 301);
        assert.deepEqual(proof, await memory.inclusionProof(index, 301));
        verifyInclusion({ leafBytes: leaf(index) }, index, 301, proof, root);
      }
      for (const [oldSize, newSize] of [
        [1, 301],
        [7, 64],
        [64, 301],
        [100, 101],
      ] as const) {
        const proof = await pg.consistencyProof(oldSize, newSize);
        assert.deepEqual(proof, await memory.consistencyProof(oldSize, newSize));
        verifyConsistency(oldSize, newSize, proof, await pg.rootHash(oldSize), await pg.rootHash(newSize));
      }
      assert.deepEqual(positions(await pg.append([leaf(42)])), [[42, true]]);
      assert.equal(await pg.treeSize(), 301);
    });

    void test('checkpoints: signed once per size, older ones kept, the empty tree signed too', async () => {
      const { database } = await openDatabase();
      const signer = new CountingSigner();
      const store = new PgLogStore(database.kysely);
      const log = logOver(store, signer);
      const empty = verifyCheckpoint((await log.checkpoint()).note, signer.publicKeySpkiDer, ORIGIN);
      assert.equal(empty.treeSize, 0);
      assert.equal(
        Buffer.from(empty.rootHash).toString('hex'),
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      );
      await log.append(leaves(0, 5));
      const cp5 = await log.checkpoint();
      assert.equal((await log.checkpoint()).note, cp5.note);
      await log.append(leaves(5, 12));
      const cp12 = await log.checkpoint();
      assert.equal(signer.signCount, 3);
      assert.equal((await log.latestCheckpoint())?.treeSize, 12);
      assert.equal((await log.checkpointAt(5))?.note, cp5.note);
      assert.equal(await log.checkpointAt(6), undefined);
      const old = verifyCheckpoint(cp5.note, signer.publicKeySpkiDer, ORIGIN);
      const now = verifyCheckpoint(cp12.note, signer.publicKeySpkiDer, ORIGIN);
      verifyConsistency(5, 12, await log.consistencyProof(5, 12), old.rootHash, now.rootHash);

      // A checkpoint for a size already stored is kept unchanged.
      await store.writeCheckpoint({ treeSize: 5, rootHash: new Uint8Array(32), note: 'forged' });
      assert.equal((await store.readCheckpoint(5))?.note, cp5.note);
      assert.deepEqual((await store.readCheckpoint(5))?.rootHash, Uint8Array.from(cp5.rootHash));
    });

    void test('a stale batch is refused with LOG_APPEND_CONFLICT and changes nothing', async () => {
      const { database } = await openDatabase();
      const store = new PgLogStore(database.kysely);
      const log = logOver(store);
      await log.append(leaves(0, 3));
      const stale = { fromTreeSize: 2, toTreeSize: 3, leafHashes: [new Uint8Array(32)], nodes: [] };
      assert.equal(await codeOf(() => store.appendBatch(stale)), 'LOG_APPEND_CONFLICT');
      assert.equal(await store.readTreeSize(), 3);
      assert.deepEqual(await store.findLeafIndices([new Uint8Array(32)]), [undefined]);
      assert.equal(await codeOf(() => store.readNodes([{ level: 0, index: 3 }])), 'LOG_NODE_MISSING');
      assert.deepEqual(await store.readNodes([]), []);
    });

    void test('appendOnFrontier: one append per statement, nothing written on a stale or rolled-back frontier', async () => {
      const { database } = await openDatabase();
      const store = new PgLogStore(database.kysely);
      const log = logOver(store);
      let frontier = await store.readFrontier();
      for (let i = 0; i < 3; i++) {
        const step = frontier.append(hashLeaf(leaf(i)));
        assert.deepEqual(await store.appendOnFrontier(frontier, step), { kind: 'appended' });
        frontier = step.next;
      }
      assert.deepEqual(Buffer.from(frontier.rootHash()), Buffer.from(await log.rootHash(3)));
      assert.deepEqual(positions(await log.append([leaf(1)])), [[1, true]], 'the leaves are the log’s');
      // The same leaf again: its first index, nothing written.
      assert.deepEqual(await store.appendOnFrontier(frontier, frontier.append(hashLeaf(leaf(2)))), {
        kind: 'present',
        leafIndex: 2,
        treeSize: 3,
      });

      // A frontier from a transaction that rolled back, while another writer appended a different leaf.
      const lost = frontier.append(hashLeaf(leaf(100)));
      await assert.rejects(
        database.transaction(async (trx) => {
          assert.deepEqual(await new PgLogStore(trx).appendOnFrontier(frontier, lost), { kind: 'appended' });
          throw new Error('rolled back');
        }),
        /rolled back/,
      );
      await log.append([leaf(3)]);
      assert.equal(lost.next.treeSize, await store.readTreeSize(), 'same size, another tree');
      const onLost = lost.next.append(hashLeaf(leaf(4)));
      assert.deepEqual(await store.appendOnFrontier(lost.next, onLost), { kind: 'stale' });
      // A frontier behind the log: stale too.
      assert.deepEqual(await store.appendOnFrontier(frontier, frontier.append(hashLeaf(leaf(4)))), { kind: 'stale' });
      assert.equal(await store.readTreeSize(), 4);
      assert.deepEqual(await store.findLeafIndices([hashLeaf(leaf(100)), hashLeaf(leaf(4))]), [undefined, undefined]);

      const fresh = await store.readFrontier();
      assert.deepEqual(await store.appendOnFrontier(fresh, fresh.append(hashLeaf(leaf(4)))), { kind: 'appended' });
      const expected = logOver(new InMemoryLogStore());
      await expected.append(leaves(0, 5));
      assert.deepEqual(Buffer.from(await log.rootHash(5)), Buffer.from(await expected.rootHash(5)));
      const cp = await log.checkpoint();
      verifyConsistency(4, 5, await log.consistencyProof(4, 5), await log.rootHash(4), cp.rootHash);
    });

    void test('a batch that would rewrite a stored node is refused: history never changes', async () => {
      const { database } = await openDatabase();
      const store = new PgLogStore(database.kysely);
      const log = logOver(store);
      await log.append(leaves(0, 3));
      const checkpoint = await log.checkpoint();
      const [original] = await store.readNodes([{ level: 0, index: 2 }]);
      const forged = {
        fromTreeSize: 3,
        toTreeSize: 4,
        leafHashes: [],
        nodes: [
          { level: 0, index: 2, hash: new Uint8Array(32).fill(1) },
          { level: 0, index: 3, hash: new Uint8Array(32) },
        ],
      };
      assert.equal(await codeOf(() => store.appendBatch(forged)), 'LOG_STATE_INCONSISTENT');
      assert.equal(await store.readTreeSize(), 3);
      assert.deepEqual(await store.readNodes([{ level: 0, index: 2 }]), [original]);
      assert.equal((await log.checkpoint()).note, checkpoint.note);
    });

    void test('writers in two processes: optimistic locking loses no leaf and forks nothing', async () => {
      const testDb = await openDatabase();
      const second = testDb.kind === 'postgres' ? await Database.open(testDb.config, { migrate: false }) : undefined;
      try {
        const log = logOver(new PgLogStore(testDb.database.kysely));
        const otherLog = logOver(new PgLogStore((second ?? testDb.database).kysely));
        const batches = Array.from({ length: 10 }, (_, i) => leaves(i * 10, i * 10 + 10));
        const settled = await Promise.allSettled(
          batches.map((batch, i) => (i % 2 === 0 ? log : otherLog).append(batch)),
        );
        for (const result of settled) {
          if (result.status === 'rejected') {
            assert.equal((result.reason as { code?: string }).code, 'LOG_APPEND_CONFLICT');
          }
        }
        // Retry the losers one by one, as a writer would.
        for (const [i, result] of settled.entries()) {
          if (result.status === 'rejected') await log.append(batches[i] ?? []);
        }
        assert.equal(await log.treeSize(), 100);
        const root = await log.rootHash(100);
        const indices = await new PgLogStore(testDb.database.kysely).findLeafIndices(
          leaves(0, 100).map((bytes) => hashLeaf(bytes)),
        );
        assert.deepEqual(
          [...indices].sort((a, b) => (a ?? -1) - (b ?? -1)),
          Array.from({ length: 100 }, (_, i) => i),
        );
        for (const [i, index] of indices.entries()) {
          if (index === undefined) assert.fail('leaf lost');
          verifyInclusion({ leafBytes: leaf(i) }, index, 100, await log.inclusionProof(index, 100), root);
        }
      } finally {
        await second?.close();
      }
    });

    void test('provisioning unit: state change, log append and attestation commit or roll back together', async () => {
      const { database } = await openDatabase();
      const seed = await seedProduction(database.kysely);
      const devices = new DeviceRepository(database.kysely);
      const attestations = new AttestationRepository(database.kysely);
      const store = new PgLogStore(database.kysely);
      const device = (await devices.create(newDeviceFor(seed, { serial: 'SN-ATT' }))).device;
      const chipUid = Uint8Array.from([9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
      await devices.claim(device.id, chipUid, seed.stationId);
      const envelope = envelopeFor('SN-ATT');

      const provision = (failAtEnd: boolean) =>
        database.transaction(async (trx) => {
          const moved = await new DeviceRepository(trx).transition(device.id, 'provision', {
            actor: 'api',
          });
          assert.equal(moved, true);
          const [appended] = await logOver(new PgLogStore(trx)).append([new TextEncoder().encode(envelope)]);
          assert.ok(appended !== undefined);
          const stored = await new AttestationRepository(trx).insert({
            leafIndex: appended.leafIndex,
            deviceId: device.id,
            envelope,
            serial: device.serial,
            chipUid,
            productId: device.productId,
            workOrderId: device.workOrderId,
            stationId: seed.stationId,
          });
          if (failAtEnd) throw new Error('HSM went away');
          return stored;
        });

      await assert.rejects(provision(true), /HSM went away/);
      assert.equal((await devices.get(device.id))?.state, 'claimed');
      assert.equal(await store.readTreeSize(), 0);
      assert.equal(await attestations.getByDevice(device.id), undefined);

      const stored = await provision(false);
      assert.equal(stored.leafIndex, 0);
      assert.equal((await devices.get(device.id))?.state, 'provisioned');
      assert.equal(await store.readTreeSize(), 1);
      assert.deepEqual(await attestations.get(0), stored);
      assert.deepEqual(await attestations.getByDevice(device.id), stored);
      assert.equal(stored.envelope, envelope);
      assert.deepEqual(stored.chipUid, chipUid);

      await assert.rejects(
        attestations.insert({ ...stored, leafIndex: 0 }),
        (e: unknown) => e instanceof DatabaseError && e.constraint === 'attestations_pkey',
      );
      const second = (await devices.create(newDeviceFor(seed))).device;
      await assert.rejects(
        attestations.insert({ ...stored, deviceId: second.id, leafIndex: 5 }),
        (e: unknown) => e instanceof DatabaseError && e.constraint === CONSTRAINTS.attestationLeaf,
      );
      await assert.rejects(
        database.kysely.updateTable('attestations').set({ envelope: '{}' }).execute(),
        (e: unknown) => e instanceof DatabaseError && e.code === 'IMMUTABLE_ROW',
      );
    });

    void test('attestation search by every filter, in log order', async () => {
      const { database } = await openDatabase();
      const seed = await seedProduction(database.kysely);
      const otherSeed = await seedProduction(database.kysely);
      const devices = new DeviceRepository(database.kysely);
      const attestations = new AttestationRepository(database.kysely);
      const log = logOver(new PgLogStore(database.kysely));
      const before = new Date(Date.now() - 60_000);
      const stored = [];
      for (const [i, s] of [seed, otherSeed, seed].entries()) {
        const device = (await devices.create(newDeviceFor(s, { serial: `SN-${i}` }))).device;
        const chipUid = Uint8Array.from([i + 1]);
        await devices.claim(device.id, chipUid, s.stationId);
        const envelope = envelopeFor(`SN-${i}`);
        const [appended] = await log.append([new TextEncoder().encode(envelope)]);
        stored.push(
          await attestations.insert({
            leafIndex: appended?.leafIndex ?? -1,
            deviceId: device.id,
            envelope,
            serial: device.serial,
            chipUid,
            productId: device.productId,
            workOrderId: device.workOrderId,
            stationId: s.stationId,
          }),
        );
      }
      const page = { limit: 10 };
      const indices = async (filters: Parameters<AttestationRepository['search']>[0]) =>
        (await attestations.search(filters, page)).map((a) => a.leafIndex);
      assert.deepEqual(await indices({}), [0, 1, 2]);
      assert.deepEqual(await indices({ productId: seed.productId }), [0, 2]);
      assert.deepEqual(await indices({ workOrderId: otherSeed.workOrderId }), [1]);
      assert.deepEqual(await indices({ stationId: seed.stationId }), [0, 2]);
      assert.deepEqual(await indices({ serial: 'SN-2' }), [2]);
      assert.deepEqual(await indices({ chipUid: Uint8Array.from([2]) }), [1]);
      assert.deepEqual(await indices({ from: before, to: new Date(Date.now() + 60_000) }), [0, 1, 2]);
      assert.deepEqual(await indices({ to: before }), []);
      assert.deepEqual(await indices({ workOrderId: 'junk' }), []);
      assert.deepEqual(
        (await attestations.search({}, { limit: 1, offset: 1 })).map((a) => a.leafIndex),
        [1],
      );
      assert.equal(await attestations.get(7), undefined);
      assert.equal(await attestations.get(-1), undefined);
      assert.deepEqual(
        stored.map((a) => a.leafIndex),
        [0, 1, 2],
      );
    });
  });
}
