// Devices stored many at a time (device-bulk-insert.ts) on both real databases: every device with
// its creation event, conflicts skipped one by one, the records answered equal to what is stored.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Database } from '../../apps/api/src/database/index.js';
import { DeviceRepository } from '../../apps/api/src/repositories/index.js';
import { Transactions } from '../../apps/api/src/repositories/transactions.js';
import { DATABASE_KINDS, newDeviceFor, seedProduction, useTestDatabases } from '../support/database.js';

const EVENT = { actor: 'mes-token-1', reason: 'requested', details: { requestedBy: 'mes' } };

for (const kind of DATABASE_KINDS) {
  void describe(`API persistence on ${kind}: devices stored many at a time`, () => {
    const openDatabase = useTestDatabases(kind);

    void test('createMany stores each device with its creation event; the records match the stored rows', async () => {
      const { database } = await openDatabase();
      const seed = await seedProduction(database.kysely);
      const devices = new DeviceRepository(database.kysely);
      const inputs = Array.from({ length: 5 }, (_, i) =>
        newDeviceFor(seed, {
          serial: `SN-BULK-${i}`,
          idempotencyKey: `bulk/${i}`,
          lockBlocks: [0, i],
          secretFields: [{ name: 'aes', offsetBytes: 16, commitment: `c${i}` }],
          sealedPrivateKey: i === 0 ? new Uint8Array([1, 2, 3]) : null,
        }),
      );
      const stored = await devices.createMany(inputs, EVENT);
      assert.deepEqual([...stored.keys()], ['bulk/0', 'bulk/1', 'bulk/2', 'bulk/3', 'bulk/4']);
      for (const record of stored.values()) {
        assert.deepEqual(record, await devices.get(record.id));
        const history = await devices.history(record.id);
        assert.deepEqual(
          history.map((event) => [event.fromState, event.toState, event.reason, event.actor, event.details]),
          [[null, 'queued', 'requested', 'mes-token-1', { requestedBy: 'mes' }]],
        );
        assert.deepEqual(history[0]?.at, record.createdAt);
      }
    });

    void test('conflicts are skipped, not errors: a key used before, a serial taken before or in the same call', async () => {
      const testDb = await openDatabase();
      const seed = await seedProduction(testDb.database.kysely);
      const devices = new DeviceRepository(testDb.database.kysely);
      const first = newDeviceFor(seed, { serial: 'SN-A', idempotencyKey: 'k/0' });
      assert.equal((await devices.createMany([first], EVENT)).size, 1);
      const again = [
        newDeviceFor(seed, { serial: 'SN-B', idempotencyKey: 'k/0' }), // the key is taken
        newDeviceFor(seed, { serial: 'SN-A', idempotencyKey: 'k/1' }), // the serial is taken
        newDeviceFor(seed, { serial: 'SN-C', idempotencyKey: 'k/2' }),
        newDeviceFor(seed, { serial: 'SN-C', idempotencyKey: 'k/3' }), // the serial of k/2, same call
      ];
      const stored = await new Transactions(testDb.database).run(({ devices: inTransaction }) =>
        inTransaction.createMany(again, EVENT),
      );
      assert.deepEqual([...stored.keys()], ['k/2']);
      const found = await devices.findByIdempotencyKeys('mes-token-1', ['k/0', 'k/1', 'k/2', 'k/3']);
      assert.deepEqual([...found.keys()].sort(), ['k/0', 'k/2']);
      assert.equal(found.get('k/0')?.serial, 'SN-A');
      const events = await Promise.all([...found.values()].map((device) => devices.history(device.id)));
      assert.deepEqual(
        events.map((history) => history.length),
        [1, 1],
      );
    });

    void test('racing calls with the same keys store each device once', async () => {
      const testDb = await openDatabase();
      const seed = await seedProduction(testDb.database.kysely);
      const second = kind === 'postgres' ? await Database.open(testDb.config, { migrate: false }) : undefined;
      try {
        const inputs = Array.from({ length: 20 }, (_, i) =>
          newDeviceFor(seed, { serial: `SN-RACE-${i}`, idempotencyKey: `race/${i}` }),
        );
        const runs = await Promise.all(
          Array.from({ length: 6 }, (_, run) =>
            new Transactions(run % 2 === 0 ? testDb.database : (second ?? testDb.database)).run(({ devices }) =>
              devices.createMany(
                inputs.map((input) => ({ ...input, id: undefined })),
                EVENT,
              ),
            ),
          ),
        );
        assert.equal(
          runs.reduce((sum, stored) => sum + stored.size, 0),
          20,
        );
        const found = await new DeviceRepository(testDb.database.kysely).findByIdempotencyKeys(
          'mes-token-1',
          inputs.map((input) => input.idempotencyKey),
        );
        assert.equal(found.size, 20);
      } finally {
        await second?.close();
      }
    });
  });
}
