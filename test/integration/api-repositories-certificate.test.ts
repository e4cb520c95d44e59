// DeviceRepository.certifyOnce on PGlite and PostgreSQL: the chip-bound certificate of the first
// claim is issued and written once, under the row lock, only for the bound chip; a concurrent
// claim or a retry issues nothing and gets the stored one. docs/certificates.md, "When the
// certificate is issued".
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeviceRepository } from '../../apps/api/src/repositories/index.js';
import { DATABASE_KINDS, newDeviceFor, seedProduction, useTestDatabases } from '../support/database.js';

const chip = Uint8Array.from([0x20, 0x36, 0x41, 0x12, 0x33, 0x47, 0x50, 0x11, 0x00, 0x00, 0x00, 0x07]);
const otherChip = Uint8Array.from([...chip.subarray(0, 11), 0x08]);
const cert = (n: number) => ({ der: Uint8Array.of(0x30, 0x03, n), sha256: new Uint8Array(32).fill(n) });

for (const kind of DATABASE_KINDS) {
  void describe(`API persistence on ${kind}: the chip-bound certificate`, () => {
    const openDatabase = useTestDatabases(kind);

    void test('is issued and stored once, for the bound chip only', async () => {
      const { database } = await openDatabase();
      const seed = await seedProduction(database.kysely);
      const devices = new DeviceRepository(database.kysely);
      const { device } = await devices.create(newDeviceFor(seed, { publicKeySpki: Uint8Array.of(0x30, 0x59) }));
      assert.equal(device.certificateDer, null);
      let issued = 0;
      const issue = (n: number) => () => {
        issued++;
        return Promise.resolve(cert(n));
      };

      // Not bound yet, or bound to another chip: nothing is issued or written.
      assert.equal((await devices.certifyOnce(device.id, chip, issue(1)))?.certificateDer, null);
      assert.equal((await devices.claim(device.id, chip, seed.stationId)).outcome, 'claimed');
      assert.equal((await devices.certifyOnce(device.id, otherChip, issue(2)))?.certificateDer, null);
      assert.equal(issued, 0);

      // Two concurrent first claims by the chip: one certificate is issued, both see it.
      const [first, second] = await Promise.all([
        devices.certifyOnce(device.id, chip, issue(3)),
        devices.certifyOnce(device.id, chip, issue(4)),
      ]);
      assert.equal(issued, 1, 'the CA signs once');
      assert.ok(first?.certificateDer);
      assert.deepEqual(second?.certificateDer, first.certificateDer);
      const n = first.certificateDer[2]!;
      assert.deepEqual(first.certificateSha256, new Uint8Array(32).fill(n));
      assert.deepEqual((await devices.get(device.id))?.certificateDer, first.certificateDer);

      // A re-claim never issues or replaces it.
      assert.deepEqual((await devices.certifyOnce(device.id, chip, issue(5)))?.certificateDer, first.certificateDer);
      assert.equal(issued, 1);
      assert.equal(await devices.certifyOnce('not-a-uuid', chip, issue(6)), undefined);
    });
  });
}
