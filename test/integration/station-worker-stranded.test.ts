// The idle-fixture sweep over real ptys, real Redis and the fake API: a chip left half written in a
// fixture whose job failed and went elsewhere is finished by its own fixture once that fixture is
// idle; an idle fixture also releases a chip of a finished device and leaves unbound chips for a
// job. And the result spool's flusher is kicked by an answered claim: a spooled report goes out
// then, not after the flusher's backoff.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type SimulatedDeviceHandle } from '../support/simulator.js';
import { testIdentity } from '../../apps/station/src/worker/testing/fake-station-api.js';
import { type WorkerConfig } from '../../apps/station/src/worker/config.js';
import { type StationWorker, type StationWorkerDeps } from '../../apps/station/src/worker/station-worker.js';
import {
  craftedChip,
  deviceId,
  type MemoryLog,
  otpHex,
  released,
  settled,
  startWorkerHarness,
  TEST_JOB_OPTIONS,
  waitFor,
  type WorkerHarness,
} from './station-worker-harness.js';

/** Power fails when the ROM is about to program the 41st payload byte: inside the first write. */
const CUT_AFTER_BYTES = 40;
const BLANK = 0xff;

type Running = { station: StationWorker; log: MemoryLog; spoolDir: string };

describe('station worker: a chip stranded in an idle fixture is finished by its own fixture', () => {
  let harness: WorkerHarness;
  const running: Running[] = [];
  let spoolCount = 0;
  const slot = (index: number): SimulatedDeviceHandle => {
    const handle = harness.sim.devices[index];
    assert.ok(handle);
    return handle;
  };
  /**
   * A station on some of the fixtures, with its own spool (stations never share one). All run as the
   * fake API's one station (station-1): a worker refuses a token of another station id.
   */
  const startStation = async (
    name: string,
    ports: string[],
    overrides: Partial<WorkerConfig> = {},
    deps: Partial<StationWorkerDeps> = {},
  ): Promise<Running> => {
    const spoolDir = join(harness.dir, `spool-${name}-${spoolCount++}`);
    const started = await harness.startWorker({ fixtures: ports, spoolDir, ...overrides }, deps);
    const station = { ...started, spoolDir };
    running.push(station);
    return station;
  };
  const logged = (log: MemoryLog, event: string, chipUid: string) =>
    waitFor(`${event} for chip ${chipUid}`, () => log.named(event).find((entry) => entry['chipUid'] === chipUid));

  before(async () => {
    harness = await startWorkerHarness({ fixtures: 2 });
  });
  after(() => harness.close());

  test('a job failed on fixture A, its retries went to fixture B: A finishes the chip once idle', async () => {
    const [a, b] = [slot(0), slot(1)];
    const strandedUid = a.uidHex;
    const otherUid = b.uidHex;
    const otherBefore = b.device.exportState();
    const id = deviceId(1);

    // Fixture A alone, no in-job link retry: the power fails mid-write and the job fails.
    a.device.setFaults({ powerLossAfterBytes: CUT_AFTER_BYTES });
    const first = await startStation('station-a', [a.port], { linkRetries: 0 });
    await harness.addJob(id, 1);
    await waitFor('the failed first attempt', () => first.log.named('job-failed').find((e) => e['jobId'] === id));
    await first.station.stop(); // the station goes down with the chip half written in its fixture
    const device = harness.api.devices.get(id);
    assert.equal(device?.state, 'claimed');
    assert.equal(device.chipUid, strandedUid);
    const partial = a.device.otp().data;
    assert.ok(partial.some((byte) => byte !== BLANK) && partial.some((byte) => byte === BLANK), 'half written');

    // Only fixture B's worker runs: every retry lands there and cannot have the identity.
    const other = await startStation('station-b', [b.port]);
    const { state, job } = await settled(harness.queue, id);
    assert.equal(state, 'failed');
    assert.equal(job.attemptsMade, TEST_JOB_OPTIONS.attempts);
    const onB = other.log.named('job-failed').filter((entry) => entry['jobId'] === id);
    assert.ok(onB.length > 0, 'the retries were taken by fixture B');
    assert.ok(onB.every((entry) => entry['errorCode'] === 'STATION_IDENTITY_BOUND_ELSEWHERE'));

    // The power comes back; station A starts again. No job comes for its fixture: the sweep acts.
    a.device.powerCycle();
    const again = await startStation('station-a', [a.port]);
    const found = await logged(again.log, 'stranded-chip-found', strandedUid);
    assert.equal(found['boundDeviceId'], id);
    assert.equal(found['boundState'], 'claimed');
    const chip = await released(harness, strandedUid);
    assert.equal(chip.bin, 'done');
    assert.equal(device.state, 'provisioned');
    assert.equal(device.chipUid, strandedUid, 'finished with its original identity on its original chip');
    assert.equal(device.reports.at(-1)?.['jobId'], undefined, 'the sweep reports without a job id');
    assert.equal(chip.state.dataHex, otpHex(device.identity.data));
    assert.deepEqual(chip.state.damaged, [], 'no byte programmed twice, no illegal lock value');
    partial.forEach((byte, offset) => {
      if (byte !== BLANK) assert.equal(Buffer.from(chip.state.dataHex, 'hex')[offset], byte, `byte ${offset} kept`);
    });
    assert.ok(
      again.log.named('finishing-moved-chip').some((entry) => entry['chipUid'] === strandedUid),
      'the usual events follow',
    );

    // Fixture B's chip: looked at by its own sweep, left for a job — never written, bound or released.
    await logged(other.log, 'chip-waits-for-job', otherUid);
    assert.deepEqual(b.device.exportState(), otherBefore);
    assert.equal(
      [...harness.api.devices.values()].some((d) => d.chipUid === otherUid),
      false,
    );
    assert.equal(
      harness.sim.feeder?.released().some((c) => c.uidHex === otherUid),
      false,
    );
  });

  test('an idle fixture finishes a moved chip of a claimed device and bins a chip of a provisioned one', async () => {
    const [a, b] = [slot(0), slot(1)];
    const [stationA, stationB] = [running.at(-1), running.at(-2)];
    assert.ok(stationA && stationB);

    const movedId = deviceId(2);
    const moved = harness.api.addDevice(movedId, testIdentity(harness.family, 2));
    const movedChip = craftedChip(moved.identity, '0123456789abcdef01234567', [0, 1], []);
    moved.state = 'claimed'; // claimed at another fixture, which wrote two blocks and lost the chip
    moved.chipUid = movedChip.uidHex;

    const doneId = deviceId(3);
    const done = harness.api.addDevice(doneId, testIdentity(harness.family, 3));
    const doneChip = craftedChip(done.identity, 'feedfacefeedfacefeedface', [0, 1, 2, 3], done.identity.lockedBlocks);
    done.state = 'provisioned';
    done.chipUid = doneChip.uidHex;
    const doneBefore = doneChip.exportState();

    harness.sim.feeder?.insert(0, movedChip);
    harness.sim.feeder?.insert(1, doneChip);

    const movedOut = await released(harness, movedChip.uidHex);
    assert.equal(moved.state, 'provisioned');
    assert.equal(movedOut.bin, 'done');
    assert.equal(movedOut.state.dataHex, otpHex(moved.identity.data));
    assert.deepEqual(movedOut.state.damaged, []);
    assert.ok(await logged(stationA.log, 'stranded-chip-found', movedChip.uidHex));

    const doneOut = await released(harness, doneChip.uidHex);
    assert.equal(doneOut.bin, 'done');
    assert.deepEqual(doneOut.state, doneBefore, 'nothing was written to the finished chip');
    assert.equal(done.claims, 0, 'and nothing claimed for it');
    assert.ok(await logged(stationB.log, 'chip-of-finished-device', doneChip.uidHex));

    // The feeder's next chips are unbound: each idle fixture looks, and leaves them for a job.
    for (const [handle, station] of [
      [a, stationA],
      [b, stationB],
    ] as const) {
      await waitFor('the next chip', () =>
        handle.uidHex !== movedChip.uidHex && handle.uidHex !== doneChip.uidHex ? true : undefined,
      );
      await logged(station.log, 'chip-waits-for-job', handle.uidHex);
      assert.equal(
        harness.sim.feeder?.released().some((chip) => chip.uidHex === handle.uidHex),
        false,
      );
    }
  });

  test('an answered claim kicks the spool flusher: a spooled report goes out without waiting for its backoff', async () => {
    await Promise.all(running.splice(0).map(({ station }) => station.stop()));
    const a = slot(0);
    // A flusher that, once it found the API down, would not try again for ten minutes.
    const flushBackoffMs = { initial: 600_000, max: 600_000 };
    const { log, spoolDir } = await startStation('station-k', [a.port], {}, { flushBackoffMs });
    const pending = async () => (await readdir(join(spoolDir, 'pending'))).filter((name) => name.endsWith('.json'));

    const spooledId = deviceId(4);
    harness.api.afterClaim = () => harness.api.setDown(true);
    await harness.addJob(spooledId, 4);
    const first = await settled(harness.queue, spooledId);
    assert.equal(first.state, 'completed', first.job.failedReason);
    assert.equal((first.job.returnvalue as { verdict: string }).verdict, 'pending');
    // The submit and then the flusher's own pass found the API down: the flusher now backs off.
    await waitFor('the flusher backing off', () =>
      log.named('report-spooled').filter((e) => e['deviceId'] === spooledId && e['outcome'] === 'provisioned').length >=
      2
        ? true
        : undefined,
    );
    assert.ok((await pending()).length >= 1);

    // The API is back. The next job's claim is answered (409: the device was scrapped) and nothing else
    // is sent for it: only that answer can have woken the flusher.
    harness.api.afterClaim = undefined;
    harness.api.setDown(false);
    const scrappedId = deviceId(5);
    const scrapped = harness.api.addDevice(scrappedId, testIdentity(harness.family, 5));
    scrapped.state = 'scrapped';
    await harness.queue.add(
      'provision',
      { deviceId: scrappedId, productId: 'fake-product', layoutVersion: 1 },
      { ...TEST_JOB_OPTIONS, jobId: scrappedId },
    );
    const second = await settled(harness.queue, scrappedId);
    assert.equal(second.state, 'failed');
    assert.match(second.job.failedReason, /^STATION_DEVICE_NOT_CLAIMABLE: /);
    assert.deepEqual(scrapped.reports, []);

    await waitFor(
      'the spooled report delivered',
      () => (harness.api.devices.get(spooledId)?.state === 'provisioned' ? true : undefined),
      20_000,
    );
    await waitFor('the spool emptied', async () => ((await pending()).length === 0 ? true : undefined), 20_000);
  });
});
