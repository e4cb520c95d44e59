// End to end, the real stack (API process, station processes, SoftHSM, Redis, PGlite) with chips
// simulated in this process, so that the test can watch a chip's OTP and move it by hand: a station
// is killed (SIGKILL) while it writes a chip; an operator moves that chip to the other station's
// fixture and puts a fresh blank chip into the dead station's fixture. The other station finishes
// the moved chip with its original identity while it works on another device's job; the dead
// station's job, offered again once its lock lapsed, ends without touching any chip. The device ends
// provisioned once, on the moved chip, with one hand-over event naming both stations and one
// attestation the offline verifier accepts.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { expectData, type components, type IngrainClient } from '#ingrain/api-client';
import {
  orderDevices,
  pollUntil,
  startLocalStack,
  waitForWorkOrder,
  type LocalStack,
  type StationProcess,
  auditWorkOrder,
} from '../../testkit/stack/index.js';
import { SimulatedDevice, startTestSimulator, type TestSimulator } from '../support/simulator.js';
import {
  isBlank,
  moveChip,
  programmedOffsets,
  waitForAnyStation,
  waitForWriteInProgress,
} from './support/crash-fixtures.js';
import { readLineJob, waitForLineJob } from './support/line-jobs.js';

type Device = components['schemas']['Device'];

/** A dead station's job is offered again within about 3 × this (docs/station.md). */
const JOB_LOCK_MS = 2_000;
/**
 * Programming time per Write Memory byte. docs/hardware.md §timing gives about 16 µs; 2 ms keeps a data chunk's
 * ACK pending for a few hundred ms, long enough for the test to see the chunk land in the OTP and
 * kill the station before the next one, and still within the client's budget (1 s per 256 bytes).
 */
const PROGRAM_TIME_PER_BYTE_US = 2_000;
const STATION_ENV = { INGRAIN_JOB_LOCK_MS: String(JOB_LOCK_MS), INGRAIN_CHIP_POLL_MS: '50' };

/** The chip fixture `slotIndex` holds now. */
function chipIn(sim: TestSimulator, slotIndex: number): SimulatedDevice {
  const handle = sim.devices[slotIndex];
  if (handle === undefined) throw new RangeError(`no fixture ${slotIndex}`);
  return handle.device;
}

async function readDevice(mes: IngrainClient, id: string): Promise<Device> {
  return expectData(await mes.GET('/v1/devices/{id}', { params: { path: { id } } }));
}

describe('end to end: a station killed mid-write, its chip moved to another station', () => {
  let dir: string;
  let stack: LocalStack;
  let sim: TestSimulator;
  let mes: IngrainClient;
  let stations: StationProcess[];
  /** The station that took the first device's job and is killed, and the one that finishes its chip. */
  let victim: StationProcess;
  let rescuer: StationProcess;
  let victimSlot: number;
  let rescuerSlot: number;
  /** The chip written when the station died (moved), the blank one that replaced it, the one it displaced. */
  let movedChip: SimulatedDevice;
  let replacementChip: SimulatedDevice;
  let displacedChip: SimulatedDevice;
  let partialData: Uint8Array;
  let first: { workOrderId: string; deviceId: string };
  let second: { workOrderId: string; deviceId: string };
  let killedAtEvent: Map<StationProcess, number>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-e2e-crash-'));
    stack = await startLocalStack({ dir: join(dir, 'stack'), stationIds: ['st-a', 'st-b'] });
    const releaseDir = join(dir, 'release');
    sim = await startTestSimulator({
      family: 'stm32f4',
      count: 2,
      baudTiming: 115_200,
      programTimePerByteUs: PROGRAM_TIME_PER_BYTE_US,
      feeder: { releaseDir },
    });
    const [a, b] = sim.devices;
    assert.ok(a !== undefined && b !== undefined);
    stations = [
      await stack.startStation('st-a', [a.port], { releaseDir, env: STATION_ENV }),
      await stack.startStation('st-b', [b.port], { releaseDir, env: STATION_ENV }),
    ];
    mes = stack.client(stack.catalog.mesToken);
  });
  after(async () => {
    await stack?.close();
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const order = async (serialPrefix: string) => {
    const ordered = await orderDevices(mes, { productId: stack.catalog.productId, quantity: 1, serialPrefix });
    const [deviceId] = ordered.deviceIds;
    assert.ok(deviceId !== undefined);
    return { workOrderId: ordered.workOrderId, deviceId };
  };

  test('the station writing a chip is killed: the chip is part written, the device stays claimed', async () => {
    first = await order('SN-CRA-');
    const started = await waitForAnyStation(stations, 'job-started', (entry) => entry['deviceId'] === first.deviceId, {
      timeoutMs: 30_000,
    });
    victim = started.station;
    const other = stations.find((station) => station !== victim);
    assert.ok(other !== undefined);
    rescuer = other;
    victimSlot = sim.devices.findIndex((device) => device.port === victim.fixtures[0]);
    rescuerSlot = sim.devices.findIndex((device) => device.port === rescuer.fixtures[0]);
    movedChip = chipIn(sim, victimSlot);
    displacedChip = chipIn(sim, rescuerSlot);

    await waitForWriteInProgress(movedChip, 30_000);
    await victim.kill();
    killedAtEvent = new Map(stations.map((station) => [station, station.events.length]));

    const { data, lockBytes } = movedChip.otp();
    partialData = data;
    assert.ok(programmedOffsets(data).length > 0, 'some data bytes are programmed');
    assert.deepEqual(programmedOffsets(lockBytes), [], 'no block is locked');
    assert.deepEqual(movedChip.damagedBytes(), []);
    const during = victim.named('job-programming', (entry) => entry['deviceId'] === first.deviceId);
    assert.ok(during.length > 0, 'the victim was programming the device');
    assert.deepEqual(victim.named('chip-finished'), [], 'the victim finished no chip');
    const device = await readDevice(mes, first.deviceId);
    assert.equal(device.state, 'claimed');
    assert.equal(device.chipUid, movedChip.uidHex);
  });

  test('the moved chip is finished by the other station with its original identity', async () => {
    // The operator: the part-written chip goes into the other station's fixture (its blank chip
    // set aside), a fresh blank chip into the dead station's fixture.
    moveChip(sim, movedChip, rescuerSlot);
    replacementChip = new SimulatedDevice({ family: 'stm32f4' });
    sim.feeder?.insert(victimSlot, replacementChip);

    // Another device's job reaches the other station first; it finds the moved chip bound to the
    // first device and finishes that identity before it takes a chip for its own.
    second = await order('SN-CRB-');
    const picked = await rescuer.waitFor('job-started', () => true, {
      from: killedAtEvent.get(rescuer),
      timeoutMs: 30_000,
    });
    assert.equal(
      picked['deviceId'],
      second.deviceId,
      'the other station took the new job (the dead one was not re-offered yet)',
    );
    await victim.restart();

    const finishing = await rescuer.waitFor('finishing-moved-chip', () => true, {
      from: killedAtEvent.get(rescuer),
      timeoutMs: 30_000,
    });
    assert.equal(finishing['chipUid'], movedChip.uidHex);
    assert.equal(finishing['boundDeviceId'], first.deviceId);
    const counts = await waitForWorkOrder(mes, first.workOrderId, { timeoutMs: 60_000 });
    assert.equal(counts.provisioned, 1, JSON.stringify(counts));

    const device = await readDevice(mes, first.deviceId);
    assert.equal(device.state, 'provisioned');
    assert.equal(device.chipUid, movedChip.uidHex, 'the original chip carries the identity');
    assert.deepEqual(
      device.history.filter((entry) => entry.toState === 'provisioned').map((entry) => entry.chipUid),
      [movedChip.uidHex],
      'provisioned once',
    );
    assert.ok(
      device.history.every((entry) => entry.chipUid === null || entry.chipUid === movedChip.uidHex),
      'no other chip was ever bound to the identity',
    );
    assert.deepEqual(
      device.history
        .filter((entry) => entry.reason === 'handed-over')
        .map((entry) => [entry.fromState, entry.toState, entry.chipUid, entry.actor, entry.details]),
      [['claimed', 'claimed', movedChip.uidHex, rescuer.id, { fromStationId: victim.id, toStationId: rescuer.id }]],
      'the move to the other station is recorded as one hand-over naming both stations',
    );
    assert.equal(device.stationId, rescuer.id, 'the device belongs to the station that finished it');

    const { data, lockBytes } = movedChip.otp();
    assert.deepEqual(movedChip.damagedBytes(), [], 'no byte programmed twice, no illegal lock value');
    assert.ok(
      programmedOffsets(data).length > programmedOffsets(partialData).length,
      'the other station wrote the rest of the image',
    );
    for (const offset of programmedOffsets(partialData))
      assert.equal(data[offset], partialData[offset], `byte ${offset} kept what the dead station wrote`);
    const serialBytes = Buffer.from(device.serial, 'ascii');
    assert.deepEqual(Buffer.from(data.subarray(0, serialBytes.length)), serialBytes, 'block 0 holds its serial');
    const locked = [...lockBytes.keys()].filter((block) => lockBytes[block] === 0x00);
    assert.deepEqual(locked, device.lockedBlocks, 'exactly the layout blocks are locked');
  });

  test("the dead station's job, offered again, ends without touching any chip", async () => {
    const job = await waitForLineJob(stack.redis.url, stack.catalog.line, first.deviceId, 'completed', 60_000);
    const result = job.returnValue as { kind?: unknown; deviceId?: unknown };
    assert.deepEqual([result.kind, result.deviceId], ['already-provisioned', first.deviceId]);
    // It did run again after the kill (on either station, whichever fixture was free).
    await waitForAnyStation(stations, 'job-started', (entry) => entry['deviceId'] === first.deviceId, {
      timeoutMs: 1_000,
      from: killedAtEvent,
    });

    const counts = await waitForWorkOrder(mes, second.workOrderId, { timeoutMs: 60_000 });
    assert.equal(counts.provisioned, 1, JSON.stringify(counts));
    const other = await readDevice(mes, second.deviceId);
    assert.ok(other.chipUid !== null);
    assert.ok(![movedChip.uidHex, replacementChip.uidHex, displacedChip.uidHex].includes(other.chipUid));

    // The station asks for the release before its job completes; the feeder carries it out soon after.
    const released = await pollUntil(
      "the second device's chip to leave its fixture",
      () => (sim.feeder !== undefined && sim.feeder.released().length >= 2 ? sim.feeder.released() : undefined),
      { timeoutMs: 10_000 },
    );
    assert.deepEqual(
      released.map((chip) => [chip.uidHex, chip.bin]),
      [
        [movedChip.uidHex, 'done'],
        [other.chipUid, 'done'],
      ],
      "the moved chip and the second device's chip went to done; no other chip left a fixture",
    );
    assert.ok(isBlank(replacementChip), "the blank chip in the dead station's fixture stays blank");
    assert.deepEqual(replacementChip.damagedBytes(), []);
    assert.ok(isBlank(displacedChip), 'the chip set aside was never written');
    const inRescuer = chipIn(sim, rescuerSlot);
    assert.ok(isBlank(inRescuer), "the chip now in the other station's fixture is blank");
    assert.equal((await readLineJob(stack.redis.url, stack.catalog.line, second.deviceId)).state, 'completed');
  });

  test('the auditor finds one attestation for the moved chip, and the verifier accepts it', async () => {
    const { attestations, verdict } = await auditWorkOrder(stack, first.workOrderId, join(dir, 'bundles.jsonl'));
    assert.deepEqual(
      attestations.map((entry) => [entry.deviceId, entry.chipUid, entry.stationId]),
      [[first.deviceId, movedChip.uidHex, rescuer.id]],
    );
    assert.equal(verdict.exitCode, 0);
    assert.deepEqual([verdict.total, verdict.passed, verdict.failed], [1, 1, 0]);
  });
});
