// DeviceRepository.storeCertificateOnce on PGlite and PostgreSQL: the chip-bound certificate issued
// at the first claim is written once, only for the bound chip; a second write (a concurrent claim,
// a retry) changes nothing and returns the stored one. docs/certificates.md, "When the certificate
// is issued".
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

    void test('is stored once, for the bound chip only', async () => {
      const { database } = await openDatabase();
      const seed = await seedProduction(database.kysely);
      const devices = new DeviceRepository(database.kysely);
      const { device } = await devices.create(newDeviceFor(seed, { publicKeySpki: Uint8Array.of(0x30, 0x59) }));
      assert.equal(device.certificateDer, null);

      // Not bound yet: nothing is written.
      const unbound = await devices.storeCertificateOnce(device.id, chip, cert(1));
      assert.equal(unbound?.certificateDer, null);

      assert.equal((await devices.claim(device.id, chip, seed.stationId)).outcome, 'claimed');
      // Another chip's UID: nothing is written.
      assert.equal((await devices.storeCertificateOnce(device.id, otherChip, cert(2)))?.certificateDer, null);

      const [first, second] = await Promise.all([
        devices.storeCertificateOnce(device.id, chip, cert(3)),
        devices.storeCertificateOnce(device.id, chip, cert(4)),
      ]);
      assert.deepEqual(first?.certificateDer, second?.certificateDer, 'both claims see the one stored certificate');
      const stored = await devices.get(device.id);
      assert.ok(stored?.certificateDer);
      assert.ok([3, 4].includes(stored.certificateDer[2]!));
      assert.deepEqual(stored.certificateSha256, new Uint8Array(32).fill(stored.certificateDer[2]!));

      // A later write never replaces it.
      const later = await devices.storeCertificateOnce(device.id, chip, cert(5));
      assert.deepEqual(later?.certificateDer, stored.certificateDer);
      assert.equal(await devices.storeCertificateOnce('not-a-uuid', chip, cert(6)), undefined);
    });
  });
}
