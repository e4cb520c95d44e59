// The station worker on one fixture (real pty, real Redis, fake API): a link fault is retried and
// the chip completed; a conflict is final (reported, quarantined, never retried); a partly
// programmed chip bound to another device is finished with its own identity first.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testIdentity } from '../../apps/station/src/worker/testing/fake-station-api.js';
import { type SimulatedDeviceHandle } from '../support/simulator.js';
import {
  craftedChip,
  deviceId,
  otpHex,
  released,
  settled,
  startWorkerHarness,
  waitFor,
  type MemoryLog,
  type WorkerHarness,
} from './station-worker-harness.js';

describe('station worker: faults, conflicts and moved chips', () => {
  let harness: WorkerHarness;
  let log: MemoryLog;
  const fixture = (): SimulatedDeviceHandle => {
    const handle = harness.sim.devices[0];
    assert.ok(handle);
    return handle;
  };

  before(async () => {
    harness = await startWorkerHarness({ fixtures: 1 });
    // No in-job retry: the link fault must go through BullMQ's retry and the claim's idempotency.
    ({ log } = await harness.startWorker({ linkRetries: 0 }));
  });
  after(() => harness.close());

  test('a power loss mid-write is a link error; the retried job completes the same chip', async () => {
    const id = deviceId(1);
    const chipUid = fixture().uidHex;
    fixture().device.setFaults({ powerLossAfterBytes: 40 });
    await harness.addJob(id, 1);
    await waitFor('the power loss', () => (fixture().device.status === 'off' ? true : undefined));
    fixture().device.powerCycle(); // the operator reseats the chip
    const { state, job } = await settled(harness.queue, id);
    assert.equal(state, 'completed', job.failedReason);
    const device = harness.api.devices.get(id);
    assert.equal(device?.state, 'provisioned');
    assert.equal(device.chipUid, chipUid, 'the same chip was completed');
    assert.ok(device.claims >= 2, 'the retry claimed again (idempotent for its own chip)');
    assert.ok(
      device.reports.some((report) => report['outcome'] === 'link-error'),
      'the link error was reported',
    );
    const linkErrors = log.named('cycle-link-error');
    assert.ok(linkErrors.length > 0, 'the link error is logged');
    assert.ok(
      linkErrors.every((entry) => entry.level === 'warn' && /^[A-Z][A-Z0-9_]+$/.test(String(entry['code']))),
      'at warn, with its code',
    );
    const chip = await released(harness, chipUid);
    assert.equal(chip.bin, 'done');
    assert.equal(chip.state.dataHex, otpHex(device.identity.data));
    assert.deepEqual(chip.state.damaged, [], 'no byte was programmed twice');
  });

  test('a conflict is final: reported, quarantined, never retried, the chip untouched', async () => {
    const other = testIdentity(harness.family, 99);
    const chip = craftedChip(other, 'c0ff11c7c0ff11c7c0ff11c7', [0, 1, 2, 3], [0, 1, 2, 3]);
    const before = chip.exportState();
    harness.sim.feeder?.insert(0, chip);
    const id = deviceId(2);
    await harness.addJob(id, 2);
    const { state, job } = await settled(harness.queue, id);
    assert.equal(state, 'failed');
    assert.match(job.failedReason, /^STATION_CHIP_CONFLICT: /);
    const device = harness.api.devices.get(id);
    assert.equal(device?.state, 'quarantined');
    // A link error under load costs an attempt of its own (no in-job retry here); the conflict none more.
    const outcomes = device.reports.map((report) => report['outcome']);
    assert.deepEqual(
      outcomes.filter((outcome) => outcome !== 'link-error'),
      ['conflict'],
    );
    assert.equal(job.attemptsMade, outcomes.length, 'an UnrecoverableError is not retried');
    const out = await released(harness, chip.uidHex);
    assert.equal(out.bin, 'quarantine');
    assert.deepEqual(out.state, before, 'nothing was written to the conflicting chip');
  });

  test('a partly programmed chip of another device is finished with its own identity, then the job takes a new chip', async () => {
    const movedId = deviceId(3);
    const moved = harness.api.addDevice(movedId, testIdentity(harness.family, 3));
    const chip = craftedChip(moved.identity, '0123456789abcdef01234567', [0, 1], []);
    moved.state = 'claimed'; // claimed at another fixture, which wrote two blocks and lost the chip
    moved.chipUid = chip.uidHex;
    harness.sim.feeder?.insert(0, chip);
    const id = deviceId(4);
    await harness.addJob(id, 4);
    const { state, job } = await settled(harness.queue, id);
    assert.equal(state, 'completed', job.failedReason);

    assert.equal(moved.state, 'provisioned', 'the moved chip got its own identity finished');
    assert.equal(moved.chipUid, chip.uidHex);
    assert.equal(moved.reports.at(-1)?.['jobId'], undefined, 'that report names no job of its own');
    const device = harness.api.devices.get(id);
    assert.equal(device?.state, 'provisioned');
    assert.notEqual(device.chipUid, chip.uidHex, 'the job took the next chip');
    assert.ok(device.chipUid);
    const movedOut = await released(harness, chip.uidHex);
    assert.equal((await released(harness, device.chipUid)).bin, 'done');
    assert.equal(movedOut.bin, 'done');
    assert.equal(movedOut.state.dataHex, otpHex(moved.identity.data));
    assert.deepEqual(movedOut.state.damaged, []);
  });
});
