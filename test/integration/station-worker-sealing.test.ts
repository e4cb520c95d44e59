// The station worker and its sealing key (real pty, real Redis, fake API that seals as the real API
// does; docs/sealing.md): claims are opened with the key of INGRAIN_STATION_KEY_FILE and the binding
// the station expects, the opened bytes are written; a claim that does not open writes nothing and is
// a final, logged, secret-free outcome with the chip quarantined; a station whose key file is missing,
// too widely readable, or not the key the API has registered does not start.
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testStationKey } from '#ingrain/crypto/testing';
import { StationKeyError } from '../../apps/station/src/keys/errors.js';
import { StationError } from '../../apps/station/src/worker/errors.js';
import { type SimulatedDeviceHandle } from '../support/simulator.js';
import {
  deviceId,
  otpHex,
  released,
  settled,
  startWorkerHarness,
  type WorkerHarness,
} from './station-worker-harness.js';

describe('station worker: claims sealed to its key', () => {
  let harness: WorkerHarness;
  const fixture = (): SimulatedDeviceHandle => {
    const handle = harness.sim.devices[0];
    assert.ok(handle);
    return handle;
  };

  before(async () => {
    harness = await startWorkerHarness({ fixtures: 1, chipsPerFixture: 4 });
  });
  after(() => harness.close());

  test('a station whose key is not the registered one, or has none, or an open key file, does not start', async () => {
    const other = join(harness.dir, 'other-key.pem');
    const pem = String(testStationKey().privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(other, pem, { mode: 0o600 });
    await assert.rejects(harness.startWorker({ stationKeyFile: other }), (error: unknown) => {
      assert.ok(error instanceof StationError);
      assert.equal(error.code, 'STATION_SEALING_KEY_MISMATCH');
      assert.match(error.message, /the API has sha256:[0-9a-f]{64} registered, but .* is sha256:[0-9a-f]{64}/);
      assert.ok(!error.message.includes(pem.slice(40, 80)), 'no key material');
      return true;
    });
    await chmod(other, 0o644);
    await assert.rejects(harness.startWorker({ stationKeyFile: other }), { code: 'STATION_KEY_PERMISSIONS' });
    await assert.rejects(harness.startWorker({ stationKeyFile: join(harness.dir, 'absent.pem') }), (error: unknown) => {
      assert.ok(error instanceof StationKeyError);
      assert.equal(error.code, 'STATION_KEY_NOT_FOUND');
      return true;
    });
    assert.deepEqual(
      harness.api.requests.filter((request) => request.endpoint !== 'me'),
      [],
      'no job was taken',
    );
  });

  test('a station the API has no key for does not start', async () => {
    const keyless = await startWorkerHarness({ fixtures: 1, api: { stationPublicKey: undefined } });
    try {
      await assert.rejects(keyless.startWorker(), (error: unknown) => {
        assert.ok(error instanceof StationError);
        assert.equal(error.code, 'STATION_SEALING_KEY_MISMATCH');
        assert.match(error.message, /the API has no sealing key registered for it/);
        return true;
      });
    } finally {
      await keyless.close();
    }
  });

  test('claims open with its key: the opened secrets are written, and only zeros are reported', async () => {
    const { station, log } = await harness.startWorker();
    try {
      const id = deviceId(1);
      const chipUid = fixture().uidHex;
      await harness.addJob(id, 1);
      const { state, job } = await settled(harness.queue, id);
      assert.equal(state, 'completed', job.failedReason);
      const device = harness.api.devices.get(id);
      assert.equal(device?.state, 'provisioned');
      const chip = await released(harness, chipUid);
      assert.equal(chip.state.dataHex, otpHex(device.identity.data), 'the secret range holds the opened bytes');
      const [range] = device.identity.secretRanges;
      assert.ok(range);
      const secretHex = otpHex(device.identity.data.subarray(range.offsetBytes, range.offsetBytes + range.lengthBytes));
      assert.ok(!JSON.stringify(log.events).includes(secretHex), 'no secret in the log');
      assert.ok(!JSON.stringify(device.reports).includes(secretHex), 'no secret in the report');
    } finally {
      await station.stop();
    }
  });

  test('a claim sealed to another key, or bound to another claim: nothing written, final, chip quarantined', async () => {
    const { station, log } = await harness.startWorker();
    try {
      const cases = [
        { id: deviceId(2), fault: () => (harness.api.sealTo = testStationKey().publicKey) },
        {
          id: deviceId(3),
          fault: () =>
            (harness.api.sealBinding = (binding) => ({ ...binding, claimId: `${binding.claimId}-replayed` })),
        },
      ];
      for (const [n, { id, fault }] of cases.entries()) {
        harness.api.sealTo = harness.stationKey.publicKey;
        harness.api.sealBinding = undefined;
        fault();
        const chipUid = fixture().uidHex;
        const before = fixture().device.exportState();
        await harness.addJob(id, 2 + n);
        const { state, job } = await settled(harness.queue, id);
        assert.equal(state, 'failed');
        assert.match(job.failedReason, /^STATION_SECRETS_UNOPENED: .*SEAL_OPEN_FAILED.*nothing was written/);
        assert.equal(job.attemptsMade, 1, 'final: never retried');
        const out = await released(harness, chipUid);
        assert.equal(out.bin, 'quarantine');
        assert.deepEqual(out.state, before, 'nothing was written to the chip');
        const device = harness.api.devices.get(id);
        assert.equal(device?.state, 'claimed', 'the device stays claimed for an admin to release or scrap');
        assert.deepEqual(device.reports, [], 'nothing to report: nothing was written');
        const [range] = device.identity.secretRanges;
        assert.ok(range);
        const secretHex = otpHex(
          device.identity.data.subarray(range.offsetBytes, range.offsetBytes + range.lengthBytes),
        );
        assert.ok(!JSON.stringify(log.events).includes(secretHex), 'no secret in the log');
        assert.ok(!job.failedReason.includes(secretHex));
      }
    } finally {
      harness.api.sealTo = harness.stationKey.publicKey;
      harness.api.sealBinding = undefined;
      await station.stop();
    }
  });
});
