// A readout-protected chip in a fixture (issue 10 item 3): the worker's probe reads Get ID, the
// UID read is refused twice, and the chip goes to quarantine at once, logged with its reason and
// never written; the API hears of it for the waiting device, which is not spent on it and is
// provisioned on the next chip.
// Real ptys (simulator in feeder mode), real Redis, the fake station API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  deviceId,
  type MemoryLog,
  settled,
  startWorkerHarness,
  waitFor,
  type WorkerHarness,
} from './station-worker-harness.js';

describe('station worker: a protected chip', () => {
  let harness: WorkerHarness;
  let log: MemoryLog;

  before(async () => {
    harness = await startWorkerHarness({ fixtures: 1, chipsPerFixture: 2 });
    const first = harness.sim.devices[0];
    assert.ok(first);
    first.device.setReadoutProtection('level-1');
    ({ log } = await harness.startWorker());
  });
  after(() => harness.close());

  test('is released to quarantine within seconds, unwritten; the job is provisioned on the next chip', async (t) => {
    const startMs = performance.now();
    const id = deviceId(1);
    await harness.addJob(id, 1);
    const protectedRelease = await waitFor('the protected chip to be released', () =>
      harness.sim.feeder?.released().find((chip) => chip.state.readoutProtection === 'level-1'),
    );
    const releasedAfterMs = performance.now() - startMs;
    t.diagnostic(`protected chip released ${Math.round(releasedAfterMs)} ms after the job was added`);
    assert.equal(protectedRelease.bin, 'quarantine');
    assert.match(protectedRelease.reason, /^STATION_CHIP_PROTECTED: product ID 0x413 refuses Read Memory/);
    assert.ok(/^f+$/.test(protectedRelease.state.dataHex), 'nothing was written to the protected chip');
    assert.ok(/^f+$/.test(protectedRelease.state.lockBytesHex), 'nothing was locked on the protected chip');
    assert.ok(releasedAfterMs < 5_000, `released after ${Math.round(releasedAfterMs)} ms`);

    const done = log.named('fixture-done').find((entry) => entry['reason'] === 'STATION_CHIP_PROTECTED');
    assert.ok(done, 'the station log names the reason');
    assert.equal(done['bin'], 'quarantine');

    const reported = await waitFor('the protected chip reported', () =>
      log.named('protected-chip-reported').find((entry) => entry['deviceId'] === id),
    );
    assert.equal(reported['delivery'], 'delivered');
    assert.equal(reported['productId'], 0x413);

    const { state, job } = await settled(harness.queue, id);
    assert.equal(state, 'completed', job.failedReason);
    assert.equal((job.returnvalue as { verdict: string }).verdict, 'provisioned');
    const device = harness.api.devices.get(id);
    assert.notEqual(device?.chipUid, protectedRelease.uidHex, 'the identity went to the next chip');
    assert.equal(device?.state, 'provisioned');
    assert.deepEqual(
      device?.reports.map((report) => [report['outcome'], report['chipUid']]),
      [
        ['protected', null],
        ['provisioned', device?.chipUid],
      ],
      'the API heard of the protected chip, then of the provisioned one',
    );
  });
});
