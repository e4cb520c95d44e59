// The station worker over real ptys (simulator in feeder mode), real Redis (BullMQ) and a fake of
// the API's station endpoints: N fixtures program N chips in parallel, chips flow through the
// fixtures via the feeder, every report parses as the API's and carries no secret byte.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { stationHeartbeatSchema } from '#ingrain/contracts';
import { getProfile } from '#ingrain/otp';
import { testIdentity } from '../../apps/station/src/worker/testing/fake-station-api.js';
import {
  deviceId,
  type MemoryLog,
  otpHex,
  settled,
  startWorkerHarness,
  waitFor,
  type WorkerHarness,
} from './station-worker-harness.js';

describe('station worker: fixtures in parallel', () => {
  const fixtures = 2;
  const chipsPerFixture = 2;
  let harness: WorkerHarness;
  let log: MemoryLog;

  before(async () => {
    // Claims are answered only once both fixtures wait on one: serial fixtures would never get there.
    harness = await startWorkerHarness({ fixtures, chipsPerFixture, api: { claimBarrier: fixtures } });
    // Heartbeats every 100 ms and /metrics on a port of the OS's choosing (docs/observability.md).
    ({ log } = await harness.startWorker({ heartbeatMs: 100, metricsPort: 0 }));
  });
  after(() => harness.close());

  test(`${fixtures} fixtures program ${fixtures * chipsPerFixture} chips, ${fixtures} at a time`, async () => {
    const ids = Array.from({ length: fixtures * chipsPerFixture }, (_, n) => deviceId(n + 1));
    await Promise.all(ids.map((id, n) => harness.addJob(id, n + 1)));
    const results = await Promise.all(ids.map((id) => settled(harness.queue, id)));

    for (const { state, job } of results) {
      assert.equal(state, 'completed', job.failedReason);
      assert.equal((job.returnvalue as { verdict: string }).verdict, 'provisioned');
    }
    assert.equal(harness.api.barrierTimedOut, false, 'two claims were outstanding at once');
    const chips = new Set(ids.map((id) => harness.api.devices.get(id)?.chipUid));
    assert.equal(chips.size, ids.length, 'every identity went to its own chip');
    for (const id of ids) assert.equal(harness.api.devices.get(id)?.state, 'provisioned');
  });

  test('each released chip holds exactly its identity (secrets included), locked, nothing damaged', async () => {
    const released = await waitFor('every release', () => {
      const chips = harness.sim.feeder?.released() ?? [];
      return chips.length === fixtures * chipsPerFixture ? chips : undefined;
    });
    const profile = getProfile(harness.family);
    for (const chip of released) {
      assert.equal(chip.bin, 'done');
      const device = [...harness.api.devices.values()].find((d) => d.chipUid === chip.uidHex);
      assert.ok(device, `chip ${chip.uidHex} is bound`);
      assert.equal(chip.state.dataHex, otpHex(device.identity.data));
      const locks = new Uint8Array(profile.blockCount).fill(0xff);
      for (const block of device.identity.lockedBlocks) locks[block] = 0;
      assert.equal(chip.state.lockBytesHex, otpHex(locks));
      assert.deepEqual(chip.state.damaged, []);
    }
    for (let slot = 0; slot < fixtures; slot++) assert.equal(harness.sim.feeder?.insertedCount(slot), chipsPerFixture);
    assert.ok(
      harness.sim.devices.every((device) => !device.chipPresent),
      'the spent fixtures are empty',
    );
  });

  test('reports carry zeros for secret bytes; no secret reaches the log or the job', async () => {
    for (const device of harness.api.devices.values()) {
      const report = device.reports.at(-1);
      assert.ok(report);
      const range = device.identity.secretRanges[0];
      assert.ok(range);
      const otpData = Buffer.from(String(report['otpData']), 'hex');
      assert.ok(otpData.subarray(range.offsetBytes, range.offsetBytes + range.lengthBytes).every((byte) => byte === 0));
      assert.equal(report['jobId'], device.id, 'the report names its job');
      const secretHex = otpHex(device.identity.data.subarray(range.offsetBytes, range.offsetBytes + range.lengthBytes));
      assert.ok(!JSON.stringify(log.events).includes(secretHex), 'no secret in the station log');
      const job = await harness.queue.getJob(device.id);
      assert.ok(job);
      const { logs } = await harness.queue.getJobLogs(device.id);
      assert.ok(!JSON.stringify([job.returnvalue, job.progress, logs]).includes(secretHex), 'no secret in the job');
      assert.ok(
        logs.some((line) => line.startsWith('released')),
        'the job log shows the release',
      );
    }
  });

  test('the station log tells what each fixture did', () => {
    assert.equal(log.named('chip-finished').length, fixtures * chipsPerFixture);
    const ports = new Set(log.named('chip-finished').map((entry) => entry['fixture']));
    assert.equal(ports.size, fixtures, 'every fixture finished chips');
    assert.ok(log.named('fixture-chip-present').length >= fixtures * chipsPerFixture);
    assert.ok(testIdentity(harness.family, 1).secretRanges.length > 0, 'the identities have secrets');
  });

  test('heartbeats carry each fixture and its last cycle; /metrics counts the cycles', async () => {
    const ports = harness.config().fixtures;
    // Heartbeats are periodic: the latest may predate the end of the last chip (a fixture still
    // programming its second chip with the first one's cycle as lastCycle), so wait for one sent
    // when every fixture had finished.
    const last = await waitFor('a heartbeat after every chip', () => {
      const body = harness.api.heartbeats.at(-1);
      const parsed = stationHeartbeatSchema.safeParse(body);
      if (!parsed.success) return undefined;
      const finished = parsed.data.fixtures.every(
        (fixture) => fixture.lastCycle?.outcome === 'provisioned' && fixture.state !== 'programming',
      );
      return finished ? parsed.data : undefined;
    });
    assert.deepEqual(
      last.fixtures.map((fixture) => fixture.port),
      [...ports],
    );
    for (const fixture of last.fixtures) {
      assert.ok(['done', 'empty', 'chip-present'].includes(fixture.state), fixture.state);
      assert.ok((fixture.lastCycle?.durationsMs.write ?? 0) > 0, 'the last cycle wrote');
    }
    const sequences = harness.api.heartbeats.map((body) => stationHeartbeatSchema.parse(body).sequence);
    assert.deepEqual(
      sequences,
      sequences.map((_, n) => n),
      'one boot, counted from 0',
    );
    const port = log.named('station-started')[0]?.['metricsPort'];
    assert.equal(typeof port, 'number');
    const text = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
    const outcomes = /^ingrain_station_cycle_outcomes_total\{outcome="provisioned"\} (\d+)$/m.exec(text);
    assert.equal(Number(outcomes?.[1]), fixtures * chipsPerFixture);
    assert.match(text, /^ingrain_station_cycle_phase_duration_seconds_count\{phase="write"\} [1-9]/m);
    assert.match(text, /^ingrain_station_spool_reports 0$/m);
    assert.match(text, /^ingrain_station_heartbeats_sent_total [1-9]/m);
    assert.match(text, /^ingrain_station_heartbeat_failures_total 0$/m);
    assert.equal((await fetch(`http://127.0.0.1:${String(port)}/other`)).status, 404);
  });
});
