// DeviceRepository.claim's certificate on PGlite and PostgreSQL: the chip-bound certificate of the
// first claim is issued and written once, under the claim's row lock, only for the bound chip; a
// concurrent claim or a retry issues nothing and gets the stored one. docs/certificates.md, "When the
// certificate is issued".
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeviceRepository, StationRepository } from '../../apps/api/src/repositories/index.js';
import { DATABASE_KINDS, newDeviceFor, seedProduction, useTestDatabases } from '../support/database.js';

const chip = Uint8Array.from([0x20, 0x36, 0x41, 0x12, 0x33, 0x47, 0x50, 0x11, 0x00, 0x00, 0x00, 0x07]);
const otherChip = Uint8Array.from([...chip.subarray(0, 11), 0x08]);
const cert = (n: number) => ({ der: Uint8Array.of(0x30, 0x03, n), sha256: new Uint8Array(32).fill(n) });

for (const kind of DATABASE_KINDS) {
  void describe(`API persistence on ${kind}: the chip-bound certificate`, () => {
    const openDatabase = useTestDatabases(kind);

    void test("is issued and stored once, for the bound chip only, under the claim's row lock", async () => {
      const { database } = await openDatabase();
      const seed = await seedProduction(database.kysely);
      const devices = new DeviceRepository(database.kysely);
      const line = (await new StationRepository(database.kysely).get(seed.stationId))?.line;
      await new StationRepository(database.kysely).create({ id: 'st-other', name: 'Other', line: line ?? 'l' });
      const { device } = await devices.create(newDeviceFor(seed, { publicKeySpki: Uint8Array.of(0x30, 0x59) }));
      assert.equal(device.certificateDer, null);
      let issued = 0;
      const certify = (n: number) => () => {
        issued++;
        return Promise.resolve(cert(n));
      };

      // Another line's station, or a failed issuance: nothing is bound, recorded or stored.
      const refused = await devices.claim(device.id, chip, seed.stationId, { line: 'another', certify: certify(1) });
      assert.deepEqual(refused, { outcome: 'other-line' });
      const failing = () => Promise.reject(new Error('HSM unavailable'));
      await assert.rejects(devices.claim(device.id, chip, seed.stationId, { certify: failing }), /HSM unavailable/);
      assert.equal((await devices.get(device.id))?.state, 'queued');
      assert.equal((await devices.history(device.id)).length, 1);
      assert.equal(issued, 0);

      // Two concurrent first claims by the chip: one certificate is issued, both see it stored.
      const [first, second] = await Promise.all([
        devices.claim(device.id, chip, seed.stationId, { line, certify: certify(3) }),
        devices.claim(device.id, chip, seed.stationId, { line, certify: certify(4) }),
      ]);
      assert.deepEqual([first.outcome, second.outcome].sort(), ['already-claimed-by-this-chip', 'claimed']);
      assert.equal(issued, 1, 'the CA signs once');
      assert.ok(first.outcome === 'claimed' || first.outcome === 'already-claimed-by-this-chip');
      assert.equal(first.device.certified, true);
      const stored = await devices.get(device.id);
      const n = stored?.certificateDer?.[2];
      assert.ok(n === 3 || n === 4);
      assert.deepEqual(stored?.certificateSha256, new Uint8Array(32).fill(n));

      // Another chip is refused; a re-claim or a hand-over never issues or replaces it.
      const other = await devices.claim(device.id, otherChip, seed.stationId, { certify: certify(5) });
      assert.deepEqual(other, { outcome: 'bound-to-other-chip' });
      const handed = await devices.claim(device.id, chip, 'st-other', { line, certify: certify(6) });
      assert.equal(handed.outcome, 'handed-over');
      assert.equal(issued, 1);
      assert.deepEqual((await devices.get(device.id))?.certificateDer, stored?.certificateDer);
    });
  });
}
