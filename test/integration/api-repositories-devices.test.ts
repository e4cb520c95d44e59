// Devices on both real databases (PGlite and a throwaway PostgreSQL 15 server): idempotent
// creation, the claim fence of docs/api.md under concurrency, state transitions and history.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CONSTRAINTS, Database, DatabaseError, type DatabaseErrorCode } from '../../apps/api/src/database/index.js';
import { type ClaimResult, DeviceRepository, StationRepository } from '../../apps/api/src/repositories/index.js';
import { type TestDatabase } from '../../testkit/database.js';
import { DATABASE_KINDS, newDeviceFor, seedProduction, useTestDatabases } from '../support/database.js';

const uid = (n: number): Uint8Array =>
  Uint8Array.from([0x20, 0x36, 0x41, 0x12, 0x33, 0x47, 0x50, 0x11, 0x00, 0x00, 0x00, n]);
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

async function rejectsWithCode(work: Promise<unknown>, code: DatabaseErrorCode, constraint?: string): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    assert.ok(error instanceof DatabaseError, `expected a DatabaseError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (constraint !== undefined) assert.equal(error.constraint, constraint);
    return true;
  });
}

/**
 * Repositories over two Databases on the same data: on PostgreSQL a second pool stands for a
 * second API process; PGlite is one process by nature, so both are the same.
 */
async function twoProcesses(
  testDb: TestDatabase,
): Promise<{ a: DeviceRepository; b: DeviceRepository; close: () => Promise<void> }> {
  const second = testDb.kind === 'postgres' ? await Database.open(testDb.config, { migrate: false }) : undefined;
  return {
    a: new DeviceRepository(testDb.database.kysely),
    b: new DeviceRepository((second ?? testDb.database).kysely),
    close: async () => second?.close(),
  };
}

/** How many results had each outcome. */
function outcomes(results: readonly ClaimResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { outcome } of results) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

for (const kind of DATABASE_KINDS) {
  void describe(`API persistence on ${kind}: devices`, () => {
    const openDatabase = useTestDatabases(kind);

    void test('create stores a queued device with its creation event; reads never expose the sealed key', async () => {
      const { database } = await openDatabase();
      const seed = await seedProduction(database.kysely);
      const devices = new DeviceRepository(database.kysely);
      const sealed = Uint8Array.from({ length: 60 }, (_, i) => i);
      const input = newDeviceFor(seed, {
        serial: 'SN-0001',
        sealedPrivateKey: sealed,
        publicKeySpki: new Uint8Array([0x30, 0x59]),
        certificateSha256: new Uint8Array(32).fill(7),
        lockBlocks: [0, 3],
        secretFields: [{ name: 'aes', offsetBytes: 16, commitment: 'ab' }],
      });
      const result = await devices.create(input);
      assert.equal(result.created, true);
      const device = result.device;
      assert.equal(device.state, 'queued');
      assert.equal(device.chipUid, null);
      assert.deepEqual(device.imageData, input.imageData);
      assert.deepEqual(device.requestHash, new Uint8Array(input.requestHash));
      assert.deepEqual(device.lockBlocks, [0, 3]);
      assert.deepEqual(device.secretFields, [{ name: 'aes', offsetBytes: 16, commitment: 'ab' }]);
      assert.equal(device.hasSealedPrivateKey, true);
      assert.deepEqual(device.certificateSha256, new Uint8Array(32).fill(7));
      assert.ok(!('sealedPrivateKey' in device));
      assert.ok(!JSON.stringify(device).includes('"59":59'), 'the sealed key travels with the record');

      assert.deepEqual(await devices.get(device.id), device);
      assert.deepEqual(await devices.sealedPrivateKey(device.id), sealed);
      assert.equal(await devices.eraseSealedKey(device.id), true);
      assert.equal(await devices.eraseSealedKey(device.id), false);
      assert.equal(await devices.sealedPrivateKey(device.id), undefined);
      assert.equal((await devices.get(device.id))?.hasSealedPrivateKey, false);

      const history = await devices.history(device.id);
      assert.deepEqual(
        history.map((e) => [e.fromState, e.toState, e.actor]),
        [[null, 'queued', input.requestedBy]],
      );
      assert.equal(await devices.get('not-a-uuid'), undefined);
      assert.equal(await devices.get(UNKNOWN_ID), undefined);
      assert.deepEqual(await devices.history(UNKNOWN_ID), []);
    });

    void test('idempotency keys: a retry returns the first device, even when requests race', async () => {
      const testDb = await openDatabase();
      const seed = await seedProduction(testDb.database.kysely);
      const { a, b, close } = await twoProcesses(testDb);
      try {
        const input = newDeviceFor(seed, { serial: 'SN-IDEM', idempotencyKey: 'order-42/1' });
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).create({ ...input, id: undefined })),
        );
        assert.equal(results.filter((r) => r.created).length, 1);
        const ids = new Set(results.map((r) => r.device.id));
        assert.equal(ids.size, 1);
        const [id] = ids;
        assert.ok(id !== undefined);
        assert.equal((await a.history(id)).length, 1);

        // A different request under the same key: the stored one comes back for the service to compare.
        const other = await a.create(newDeviceFor(seed, { serial: 'SN-OTHER', idempotencyKey: 'order-42/1' }));
        assert.equal(other.created, false);
        assert.equal(other.device.serial, 'SN-IDEM');
        assert.deepEqual(other.device.requestHash, new Uint8Array(input.requestHash));

        // The key is unique per requester: another requester may use it.
        const elsewhere = await a.create(newDeviceFor(seed, { idempotencyKey: 'order-42/1', requestedBy: 'mes-2' }));
        assert.equal(elsewhere.created, true);
      } finally {
        await close();
      }
    });

    void test('constraints: serials are unique per product, references must exist and agree', async () => {
      const { database } = await openDatabase();
      const seed = await seedProduction(database.kysely);
      const otherSeed = await seedProduction(database.kysely);
      const devices = new DeviceRepository(database.kysely);
      await devices.create(newDeviceFor(seed, { serial: 'DUP' }));
      await rejectsWithCode(
        devices.create(newDeviceFor(seed, { serial: 'DUP' })),
        'UNIQUE_VIOLATION',
        CONSTRAINTS.deviceSerial,
      );
      // The same serial in another product is fine.
      assert.equal((await devices.create(newDeviceFor(otherSeed, { serial: 'DUP' }))).created, true);
      await rejectsWithCode(
        devices.create(newDeviceFor(seed, { workOrderId: otherSeed.workOrderId })),
        'FOREIGN_KEY_VIOLATION',
        CONSTRAINTS.deviceWorkOrder,
      );
      await rejectsWithCode(
        devices.create(newDeviceFor(seed, { layoutVersion: 9, workOrderId: null })),
        'FOREIGN_KEY_VIOLATION',
        CONSTRAINTS.deviceLayout,
      );
      const without = await devices.create(newDeviceFor(seed, { workOrderId: null }));
      assert.equal(without.device.workOrderId, null);
      // History is append-only.
      await rejectsWithCode(
        database.kysely.deleteFrom('device_events').where('device_id', '=', without.device.id).execute(),
        'IMMUTABLE_ROW',
      );
    });

    void test('claim: every outcome of docs/api.md, one at a time', async () => {
      const { database } = await openDatabase();
      const seed = await seedProduction(database.kysely);
      const devices = new DeviceRepository(database.kysely);
      const first = (await devices.create(newDeviceFor(seed))).device;
      const second = (await devices.create(newDeviceFor(seed))).device;

      const claimed = await devices.claim(first.id, uid(1), seed.stationId);
      assert.equal(claimed.outcome, 'claimed');
      assert.ok(claimed.outcome === 'claimed');
      assert.equal(claimed.device.state, 'claimed');
      assert.deepEqual(claimed.device.chipUid, uid(1));
      assert.equal(claimed.device.stationId, seed.stationId);

      const again = await devices.claim(first.id, uid(1), seed.stationId);
      assert.equal(again.outcome, 'already-claimed-by-this-chip');
      assert.deepEqual(await devices.claim(first.id, uid(2), seed.stationId), { outcome: 'bound-to-other-chip' });
      assert.deepEqual(await devices.claim(second.id, uid(1), seed.stationId), {
        outcome: 'chip-bound-to-other-device',
        deviceId: first.id,
      });
      assert.equal((await devices.get(second.id))?.state, 'queued');

      assert.equal(await devices.transition(first.id, 'provision', { actor: 'api' }), true);
      assert.deepEqual(await devices.claim(first.id, uid(1), seed.stationId), {
        outcome: 'not-claimable',
        state: 'provisioned',
      });
      // A provisioned chip still holds its identity: it can never get another.
      assert.deepEqual(await devices.claim(second.id, uid(1), seed.stationId), {
        outcome: 'chip-bound-to-other-device',
        deviceId: first.id,
      });
      assert.deepEqual(await devices.claim(UNKNOWN_ID, uid(3), seed.stationId), { outcome: 'not-found' });
      assert.deepEqual(await devices.claim('nope', uid(3), seed.stationId), { outcome: 'not-found' });
      assert.equal((await devices.bindingOf(uid(1)))?.id, first.id);
      assert.equal(await devices.bindingOf(uid(9)), undefined);

      const history = await devices.history(first.id);
      assert.deepEqual(
        history.map((e) => [e.fromState, e.toState]),
        [
          [null, 'queued'],
          ['queued', 'claimed'],
          ['claimed', 'provisioned'],
        ],
      );
      assert.deepEqual(history[1]?.chipUid, uid(1));
    });

    void test('hand-over: the same chip at another station moves the device, with one event naming both', async () => {
      const { database } = await openDatabase();
      const seed = await seedProduction(database.kysely);
      const devices = new DeviceRepository(database.kysely);
      const other = `${seed.stationId}-other`;
      await new StationRepository(database.kysely).create({ id: other, name: 'Other', line: 'whatever' });
      const device = (await devices.create(newDeviceFor(seed))).device;
      const station = await new StationRepository(database.kysely).get(seed.stationId);
      assert.equal((await devices.reportable(device.id))?.line, station?.line, "a device's line is its product's");
      assert.equal(await devices.reportable(UNKNOWN_ID), undefined);
      assert.equal((await devices.reportable(device.id))?.claimedAt, null);
      assert.deepEqual(await devices.claim(device.id, uid(1), seed.stationId, { line: 'another-line' }), {
        outcome: 'other-line',
      });
      assert.equal((await devices.history(device.id)).length, 1, 'nothing bound for another line');
      await devices.claim(device.id, uid(1), seed.stationId, { line: station?.line });
      const claimEvent = (await devices.history(device.id))[1];
      assert.deepEqual(
        (await devices.reportable(device.id))?.claimedAt,
        claimEvent?.at,
        'the claim time is read with it',
      );
      assert.deepEqual(await devices.bindingOf(uid(1)), { id: device.id, state: 'claimed', line: station?.line });

      const handed = await devices.claim(device.id, uid(1), other);
      assert.equal(handed.outcome, 'handed-over');
      assert.ok(handed.outcome === 'handed-over');
      assert.equal(handed.fromStationId, seed.stationId);
      assert.equal(handed.device.stationId, other);
      assert.equal((await devices.claim(device.id, uid(1), other)).outcome, 'already-claimed-by-this-chip');
      assert.deepEqual(await devices.claim(device.id, uid(2), seed.stationId), { outcome: 'bound-to-other-chip' });
      const events = (await devices.history(device.id)).slice(2);
      assert.deepEqual(
        events.map((e) => [e.fromState, e.toState, e.reason, e.actor, e.chipUid, e.details]),
        [['claimed', 'claimed', 'handed-over', other, uid(1), { fromStationId: seed.stationId, toStationId: other }]],
      );

      // A state change guarded by the station applies only while that station holds the device.
      const event = { actor: seed.stationId, reason: 'link-error' };
      assert.equal(await devices.recordEvent(device.id, 'claimed', event, { stationId: seed.stationId }), false);
      assert.equal(await devices.transition(device.id, 'quarantine', event, { stationId: seed.stationId }), false);
      assert.equal((await devices.history(device.id)).length, 3, 'nothing recorded for the old station');
      assert.equal(await devices.transition(device.id, 'provision', { actor: other }, { stationId: other }), true);
      assert.deepEqual(await devices.claim(device.id, uid(1), seed.stationId), {
        outcome: 'not-claimable',
        state: 'provisioned',
      });
    });

    void test('claim race: many chips for one device, exactly one wins', async () => {
      const testDb = await openDatabase();
      const seed = await seedProduction(testDb.database.kysely);
      const { a, b, close } = await twoProcesses(testDb);
      try {
        const device = (await a.create(newDeviceFor(seed))).device;
        const results = await Promise.all(
          Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? a : b).claim(device.id, uid(i), seed.stationId)),
        );
        assert.deepEqual(outcomes(results), { claimed: 1, 'bound-to-other-chip': 15 });
        const winner = results.findIndex((r) => r.outcome === 'claimed');
        const stored = await a.get(device.id);
        assert.deepEqual(stored?.chipUid, uid(winner));
        assert.equal((await a.history(device.id)).length, 2);
      } finally {
        await close();
      }
    });

    void test('claim race: one chip for many devices, exactly one binding', async () => {
      const testDb = await openDatabase();
      const seed = await seedProduction(testDb.database.kysely);
      const { a, b, close } = await twoProcesses(testDb);
      try {
        const ids: string[] = [];
        for (let i = 0; i < 12; i++) ids.push((await a.create(newDeviceFor(seed))).device.id);
        const results = await Promise.all(ids.map((id, i) => (i % 2 === 0 ? a : b).claim(id, uid(7), seed.stationId)));
        assert.deepEqual(outcomes(results), { claimed: 1, 'chip-bound-to-other-device': 11 });
        const winnerId = ids[results.findIndex((r) => r.outcome === 'claimed')];
        for (const result of results) {
          if (result.outcome === 'chip-bound-to-other-device') assert.equal(result.deviceId, winnerId);
        }
        const states = await Promise.all(ids.map(async (id) => (await a.get(id))?.state));
        assert.equal(states.filter((s) => s === 'claimed').length, 1);
        assert.equal(states.filter((s) => s === 'queued').length, 11);
      } finally {
        await close();
      }
    });

    void test('claim inside a caller transaction: a refused binding does not abort the transaction', async () => {
      const { database } = await openDatabase();
      const seed = await seedProduction(database.kysely);
      const devices = new DeviceRepository(database.kysely);
      const holder = (await devices.create(newDeviceFor(seed))).device;
      const other = (await devices.create(newDeviceFor(seed))).device;
      await devices.claim(holder.id, uid(5), seed.stationId);
      const result = await database.transaction(async (trx) => {
        const refused = await new DeviceRepository(trx).claim(other.id, uid(5), seed.stationId);
        await new StationRepository(trx).create({ id: 'after-refusal', name: 'x', line: 'l' });
        const accepted = await new DeviceRepository(trx).claim(other.id, uid(6), seed.stationId);
        return [refused, accepted.outcome];
      });
      assert.deepEqual(result, [{ outcome: 'chip-bound-to-other-device', deviceId: holder.id }, 'claimed']);
      assert.ok(await new StationRepository(database.kysely).get('after-refusal'));
      assert.deepEqual((await devices.get(other.id))?.chipUid, uid(6));
    });

    void test('transitions apply only from the given states, and concurrent ones apply once', async () => {
      const testDb = await openDatabase();
      const seed = await seedProduction(testDb.database.kysely);
      const { a, b, close } = await twoProcesses(testDb);
      try {
        const device = (await a.create(newDeviceFor(seed))).device;
        assert.equal(await a.transition(device.id, 'provision', { actor: 'api' }), false);
        assert.equal(await a.transition(device.id, 'release', { actor: 'admin' }), false);
        assert.equal(await a.transition(UNKNOWN_ID, 'scrap', { actor: 'admin' }), false);
        // A queued device has no chip: the binding rule refuses provisioning it (no action of the
        // transition table leads there, so the statement is written out here).
        await rejectsWithCode(
          testDb.database.kysely
            .updateTable('devices')
            .set({ state: 'provisioned' })
            .where('id', '=', device.id)
            .execute(),
          'CHECK_VIOLATION',
          'devices_binding_check',
        );
        assert.equal((await a.history(device.id)).length, 1);

        await a.claim(device.id, uid(1), seed.stationId);
        const raced = await Promise.all([
          a.transition(device.id, 'provision', { actor: 'api-a' }),
          b.transition(device.id, 'quarantine', { actor: 'api-b', details: { diff: ['x'] } }),
          a.transition(device.id, 'quarantine', { actor: 'api-c' }),
          b.transition(device.id, 'provision', { actor: 'api-d' }),
        ]);
        assert.equal(raced.filter(Boolean).length, 1);
        const history = await a.history(device.id);
        assert.equal(history.length, 3);
        const last = history[2];
        assert.equal(last?.fromState, 'claimed');
        assert.equal((await a.get(device.id))?.state, last?.toState);
        // Final states stay final for anyone who asks from 'claimed'.
        assert.equal(await b.transition(device.id, 'provision', { actor: 'late' }), false);
      } finally {
        await close();
      }
    });

    void test('release unbinds the chip (remembered in history); scrap keeps it bound for good', async () => {
      const { database } = await openDatabase();
      const seed = await seedProduction(database.kysely);
      const devices = new DeviceRepository(database.kysely);
      const first = (await devices.create(newDeviceFor(seed))).device;
      const second = (await devices.create(newDeviceFor(seed))).device;
      await devices.claim(first.id, uid(1), seed.stationId);

      const release = { actor: 'admin-1', reason: 'chip lost before writing' };
      assert.equal(await devices.transition(first.id, 'release', release), true);
      const released = await devices.get(first.id);
      assert.equal(released?.state, 'queued');
      assert.equal(released?.chipUid, null);
      assert.equal(released?.stationId, null);
      const history = await devices.history(first.id);
      const last = history[history.length - 1];
      assert.deepEqual([last?.fromState, last?.toState, last?.reason], ['claimed', 'queued', release.reason]);
      assert.deepEqual(last?.chipUid, uid(1));

      // The chip is free again, and the identity can be claimed by another chip.
      assert.equal((await devices.claim(second.id, uid(1), seed.stationId)).outcome, 'claimed');
      assert.equal((await devices.claim(first.id, uid(2), seed.stationId)).outcome, 'claimed');
      const reclaim = (await devices.history(first.id)).findLast((e) => e.fromState === 'queued');
      assert.deepEqual((await devices.reportable(first.id))?.claimedAt, reclaim?.at, 'the latest claim, not the first');

      assert.equal(await devices.transition(first.id, 'scrap', { actor: 'admin-1', reason: 'broken' }), true);
      const scrapped = await devices.get(first.id);
      assert.deepEqual([scrapped?.state, scrapped?.chipUid], ['scrapped', uid(2)]);
      const third = (await devices.create(newDeviceFor(seed))).device;
      assert.deepEqual(await devices.claim(third.id, uid(2), seed.stationId), {
        outcome: 'chip-bound-to-other-device',
        deviceId: first.id,
      });
      assert.deepEqual(await devices.claim(first.id, uid(3), seed.stationId), {
        outcome: 'not-claimable',
        state: 'scrapped',
      });
    });

    void test('search filters and pages, oldest first', async () => {
      const { database } = await openDatabase();
      const seed = await seedProduction(database.kysely);
      const otherSeed = await seedProduction(database.kysely);
      const devices = new DeviceRepository(database.kysely);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await devices.create(newDeviceFor(seed, { serial: `S-${i}` }))).device.id);
      await devices.create(newDeviceFor(otherSeed, { serial: 'S-0' }));
      const [firstId] = ids;
      assert.ok(firstId !== undefined);
      await devices.claim(firstId, uid(1), seed.stationId);

      const byOrder = await devices.search({ workOrderId: seed.workOrderId }, { limit: 10 });
      assert.deepEqual(
        byOrder.map((d) => d.id),
        ids,
      );
      const paged = await devices.search({ workOrderId: seed.workOrderId }, { limit: 2, offset: 2 });
      assert.deepEqual(
        paged.map((d) => d.serial),
        ['S-2', 'S-3'],
      );
      assert.equal((await devices.search({ serial: 'S-0' }, { limit: 10 })).length, 2);
      assert.equal((await devices.search({ serial: 'S-0', productId: seed.productId }, { limit: 10 })).length, 1);
      assert.deepEqual(
        (await devices.search({ state: 'claimed' }, { limit: 10 })).map((d) => d.id),
        [firstId],
      );
      assert.equal((await devices.search({ stationId: seed.stationId }, { limit: 10 })).length, 1);
      assert.deepEqual(await devices.search({ workOrderId: 'garbage' }, { limit: 10 }), []);
    });
  });
}
