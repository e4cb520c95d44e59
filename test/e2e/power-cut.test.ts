// End to end, the real stack: the power fails while a station writes a chip's OTP (the simulator's
// power-loss fault keeps the first N payload bytes, stops the write mid-chunk and leaves the chip
// dead until its power comes back). Once it is back, the station resumes the same chip — within the
// job through its link retries, or through the job's BullMQ retry when the power stayed off longer —
// and finishes it with its original identity: no byte programmed twice, one attestation, and the
// interruption visible in the station's log and in the device's history.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  orderDevices,
  pollUntil,
  startLocalStack,
  waitForWorkOrder,
  type LocalStack,
  type StationEvent,
  type StationProcess,
  auditWorkOrder,
} from '../../testkit/stack/index.js';
import { startTestSimulator, type TestSimulator } from '../support/simulator.js';
import { eventsOfDevice, historyReasons, readDevice, StationEventTap } from './support/fault-fixtures.js';
import { readLineJob } from './support/line-jobs.js';

/** Power fails when the ROM is about to program the 41st payload byte: inside the first write. */
const CUT_AFTER_BYTES = 40;
const BLANK = 0xff;

/** What the chip held when the station first reported the link error. */
interface AtCut {
  readonly status: string;
  readonly data: Uint8Array;
}

function programmedBytes(data: Uint8Array): number {
  return data.filter((byte) => byte !== BLANK).length;
}

describe('end to end: the power fails mid-write, comes back, and the chip is finished', () => {
  const tap = new StationEventTap();
  let dir: string;
  let stack: LocalStack;
  let sim: TestSimulator;
  let station: StationProcess;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-e2e-power-'));
    stack = await startLocalStack({ dir: join(dir, 'stack'), stationIds: ['st-1'], onStationEvent: tap.listener });
    const releaseDir = join(dir, 'release');
    sim = await startTestSimulator({
      family: 'stm32f4',
      count: 1,
      faults: { powerLossAfterBytes: CUT_AFTER_BYTES },
      feeder: { releaseDir },
    });
    station = await stack.startStation(
      'st-1',
      sim.devices.map((device) => device.port),
      { releaseDir },
    );
  });
  after(async () => {
    await stack?.close();
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Orders one device and waits for the work order to end; returns its ids. */
  async function provisionOne(serialPrefix: string): Promise<{ workOrderId: string; deviceId: string }> {
    const mes = stack.client(stack.catalog.mesToken);
    const order = await orderDevices(mes, { productId: stack.catalog.productId, quantity: 1, serialPrefix });
    const counts = await waitForWorkOrder(mes, order.workOrderId, { timeoutMs: 60_000 });
    assert.equal(counts.provisioned, 1, JSON.stringify(counts));
    const [deviceId] = order.deviceIds;
    assert.ok(deviceId !== undefined);
    return { workOrderId: order.workOrderId, deviceId };
  }

  /**
   * The fault plan cuts the power; this brings it back: at the first event matching `where` it
   * snapshots the fixture's chip (status and OTP data as the cut left them), then power-cycles it.
   */
  function restorePowerAt(where: (event: StationEvent) => boolean): { readonly cut: () => AtCut | undefined } {
    const chip = sim.devices[0]?.device;
    assert.ok(chip !== undefined);
    let atCut: AtCut | undefined;
    tap.once(where, () => {
      atCut = { status: chip.status, data: chip.otp().data };
      chip.powerCycle();
    });
    return { cut: () => atCut };
  }

  /** The chip once the feeder took it out of the fixture. */
  function releasedChip(chipUid: string) {
    return pollUntil(`chip ${chipUid} released`, () => sim.feeder?.released().find((chip) => chip.uidHex === chipUid), {
      timeoutMs: 10_000,
    });
  }

  /** The checks both scenarios share: identity, history, the chip's bytes, one verified attestation. */
  async function assertFinishedAfterCut(ids: { workOrderId: string; deviceId: string }, chipUid: string, atCut: AtCut) {
    assert.equal(atCut.status, 'off', 'the chip was without power when the station saw the link error');
    const device = await readDevice(stack.client(stack.catalog.mesToken), ids.deviceId);
    assert.equal(device.state, 'provisioned');
    assert.equal(device.chipUid, chipUid, 'finished on the chip whose write was cut, with its original identity');
    assert.ok(historyReasons(device, 'claimed').includes('link-error'), 'the history records the interruption');

    const chip = await releasedChip(chipUid);
    assert.equal(chip.bin, 'done');
    assert.deepEqual(chip.state.damaged, [], 'no byte programmed twice, no illegal lock value');
    const final = Buffer.from(chip.state.dataHex, 'hex');
    const cutBytes = programmedBytes(atCut.data);
    assert.ok(cutBytes > 0 && cutBytes < programmedBytes(final), `cut mid-image: ${cutBytes} byte(s) programmed`);
    atCut.data.forEach((byte, offset) => {
      if (byte !== BLANK) assert.equal(final[offset], byte, `byte ${offset} kept what was written before the cut`);
    });

    const audit = await auditWorkOrder(stack, ids.workOrderId, join(dir, `${ids.deviceId}.jsonl`));
    assert.deepEqual(
      audit.attestations.map((entry) => entry.leafIndex),
      [device.attestationLeafIndex],
      'exactly one attestation',
    );
    assert.deepEqual([audit.verdict.exitCode, audit.verdict.passed], [0, 1]);
  }

  test('power back while the job still retries the link: the same attempt resumes the chip', async () => {
    const chipUid = sim.devices[0]?.uidHex ?? '';
    const restore = restorePowerAt((event) => event.event === 'job-reporting' && event['outcome'] === 'link-error');

    const ids = await provisionOne('SN-CUT-A-');

    const atCut = restore.cut();
    assert.ok(atCut !== undefined, 'the station reported a link error');
    await assertFinishedAfterCut(ids, chipUid, atCut);
    const events = eventsOfDevice(station.events, ids.deviceId);
    assert.deepEqual(
      events.filter((event) => event.event === 'job-started').map((event) => event['attempt']),
      [1],
      'one job attempt: the in-job link retry resumed the chip',
    );
    const outcomes = events.filter((event) => event.event === 'job-reporting').map((event) => event['outcome']);
    assert.equal(outcomes[0], 'link-error');
    assert.equal(outcomes.at(-1), 'provisioned');
  });

  test('power off past the link retries: the job fails, its BullMQ retry resumes the chip', async () => {
    const first = sim.feeder?.released()[0]?.uidHex;
    const slot = sim.devices[0];
    assert.ok(first !== undefined && slot !== undefined);
    // The feeder put a new blank chip into the fixture when the first one was released.
    await pollUntil('the next chip', () => (slot.uidHex !== first ? true : undefined), { timeoutMs: 10_000 });
    const chipUid = slot.uidHex;
    slot.device.setFaults({ powerLossAfterBytes: CUT_AFTER_BYTES });
    const restore = restorePowerAt((event) => event.event === 'job-failed');

    const ids = await provisionOne('SN-CUT-B-');

    const atCut = restore.cut();
    assert.ok(atCut !== undefined, 'the first attempt failed');
    await assertFinishedAfterCut(ids, chipUid, atCut);
    const events = eventsOfDevice(station.events, ids.deviceId);
    assert.deepEqual(
      events.filter((event) => event.event === 'job-started').map((event) => event['attempt']),
      [1, 2],
    );
    const failed = events.filter((event) => event.event === 'job-failed');
    assert.deepEqual(
      failed.map((event) => [event['errorCode'], event['attemptsMade']]),
      [['STATION_CHIP_LINK_ERROR', 1]],
    );
    const outcomes = events.filter((event) => event.event === 'job-reporting').map((event) => event['outcome']);
    assert.ok(
      outcomes.length >= 2 && outcomes.slice(0, -1).every((outcome) => outcome === 'link-error'),
      outcomes.join(','),
    );
    assert.equal(outcomes.at(-1), 'provisioned');
    const job = await readLineJob(stack.redis.url, stack.catalog.line, ids.deviceId);
    assert.equal(job?.state, 'completed');
    assert.equal(job.attemptsMade, 2);
  });
});
