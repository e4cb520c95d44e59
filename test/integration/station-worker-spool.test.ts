// The durable result spool over the real worker (pty, Redis, fake API): when the API goes down after
// the claim, the chip's report is kept on disk and delivered when the API is back — by the running
// worker's flusher, or by the next worker at start-up, before it takes any job.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  deviceId,
  released,
  settled,
  startWorkerHarness,
  waitFor,
  type WorkerHarness,
} from './station-worker-harness.js';

describe('station worker: the API is down when the result is ready', () => {
  let harness: WorkerHarness;
  const pending = async () =>
    (await readdir(join(harness.spoolDir, 'pending'))).filter((name) => name.endsWith('.json'));

  before(async () => {
    harness = await startWorkerHarness({ fixtures: 1 });
  });
  beforeEach(() => {
    harness.api.afterClaim = undefined;
    harness.api.setDown(false);
  });
  after(() => harness.close());

  test('the report is spooled, the chip released, and the flusher delivers it when the API is back', async () => {
    const { station, log } = await harness.startWorker();
    const id = deviceId(1);
    harness.api.afterClaim = () => harness.api.setDown(true);
    await harness.addJob(id, 1);
    const { state, job } = await settled(harness.queue, id);
    assert.equal(state, 'completed', job.failedReason);
    assert.equal((job.returnvalue as { outcome: string; verdict: string }).outcome, 'provisioned');
    assert.equal((job.returnvalue as { verdict: string }).verdict, 'pending');
    const chipUid = harness.api.devices.get(id)?.chipUid;
    assert.ok(chipUid);
    assert.equal((await released(harness, chipUid)).bin, 'done', 'the provisioned chip left the fixture');
    // (A link error under load would add its own report before the final one.)
    assert.ok((await pending()).length >= 1, 'its report waits on disk');
    assert.equal(harness.api.devices.get(id)?.state, 'claimed');

    harness.api.afterClaim = undefined;
    harness.api.setDown(false);
    await waitFor('delivery', () => (harness.api.devices.get(id)?.state === 'provisioned' ? true : undefined));
    // The log line follows the spool removal (unlink + directory fsync): wait for it, do not race it.
    await waitFor('the delivery in the log', () =>
      log.named('report-delivered').some((entry) => entry['deviceId'] === id && entry['outcome'] === 'provisioned')
        ? true
        : undefined,
    );
    assert.deepEqual(await pending(), [], 'the spool is empty once the report is delivered');
    await station.stop();
  });

  test('a report left in the spool at shutdown is delivered by the next worker before it takes jobs', async () => {
    const first = await harness.startWorker();
    const id = deviceId(2);
    harness.api.afterClaim = () => harness.api.setDown(true);
    await harness.addJob(id, 2);
    assert.equal((await settled(harness.queue, id)).state, 'completed');
    await first.station.stop(); // the API is still down: the last flush fails, the report stays
    assert.ok((await pending()).length >= 1);
    assert.equal(harness.api.devices.get(id)?.state, 'claimed');

    harness.api.afterClaim = undefined;
    harness.api.setDown(false);
    const second = await harness.startWorker();
    assert.equal(harness.api.devices.get(id)?.state, 'provisioned', 'delivered during start-up');
    assert.deepEqual(await pending(), []);
    const startup = second.log.named('spool-startup-flush')[0];
    assert.ok(Number(startup?.['delivered']) >= 1);
    const started = second.log.events.findIndex((entry) => entry.event === 'station-started');
    const delivered = second.log.events.findIndex((entry) => entry.event === 'report-delivered');
    assert.ok(delivered >= 0 && delivered < started, 'delivered before any worker slot started');
  });
});
