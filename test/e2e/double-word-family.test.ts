// End to end on a double-word family (STM32G4: 64-bit OTP programming, no lock block), the real stack
// as in happy-path.test.ts: an MES orders devices of a product whose layout is for stm32g4
// (examples/layouts/motor-drive-g4.yaml), the API makes each identity in SoftHSM and renders its
// image, the station worker claims, opens the sealed secrets and programs simulated G4 chips over
// ptys; every device ends provisioned and attested. The chips' state files then show each double-word
// programmed once and whole, no damage and no lock; a job offered again for a provisioned device
// writes nothing.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { expectData } from '#ingrain/api-client';
import { getProfile } from '#ingrain/otp';
import {
  auditWorkOrder,
  orderDevices,
  startLocalStack,
  startSimProcess,
  type LocalStack,
  type ReleasedChipFile,
  type SimProcess,
  waitForWorkOrder,
} from '../../testkit/stack/index.js';
import { addLineJob, waitForLineJob } from './support/line-jobs.js';

const DEVICES = 4;
const G4 = getProfile('stm32g4');
const DOUBLE_WORD_BYTES = G4.writeOnceUnitBytes;
const PRODUCT = { id: 'motor-drive', name: 'Motor drive', layoutFile: 'motor-drive-g4.yaml', serialPrefix: 'MD4-' };
/** motor-drive-g4's service_key (block 4, offset 0, 16 bytes): a secret the station opened from its claim. */
const SERVICE_KEY = { offsetBytes: 4 * G4.blockSizeBytes, sizeBytes: 16 };

/** The MES's inputs of motor-drive-g4 for device number `index` (calibration varies per unit). */
function motorDriveInputs(serial: string, index: number): Record<string, unknown> {
  return {
    serial,
    manufactured_at: Math.floor(Date.now() / 1000),
    current_gain: 0.0048828125 * (1 + index / 1000),
    current_offset_counts: index + 3,
    bus_voltage_gain: 0.0193359375,
    calibrated: true,
    device_uuid: randomUUID(),
    service_mac: `02:4d:44:00:00:${(0x10 + index).toString(16)}`,
  };
}

/** A state file as the simulator saves it (the fields read here). */
interface ChipState {
  readonly dataHex: string;
  readonly lockBytesHex: string;
  readonly damaged: readonly unknown[];
  readonly programCounts?: { readonly dataHex: string; readonly lockHex: string };
}

/**
 * Double-words (by index) with a programmed byte (not 0xFF) counted other than once, or a blank byte
 * counted at all. 0xFF clears no bit, so the simulator does not count it: a double-word written once
 * and whole shows 1 on each of its non-0xFF bytes. A second write into a written double-word also
 * shows in the damage list (`double-word-closed`), which the test checks too.
 */
function unevenDoubleWords(chip: ChipState): number[] {
  const data = Buffer.from(chip.dataHex, 'hex');
  const counts = Buffer.from(chip.programCounts?.dataHex ?? '', 'hex');
  assert.equal(counts.length, data.length, 'the state file keeps programCounts');
  const uneven = new Set<number>();
  data.forEach((byte, offset) => {
    const expected = byte === 0xff ? 0 : 1;
    if (counts[offset] !== expected) uneven.add(Math.floor(offset / DOUBLE_WORD_BYTES));
  });
  return [...uneven];
}

/** Indexes of the double-words holding a programmed byte. */
function writtenDoubleWords(chip: ChipState): number[] {
  const data = Buffer.from(chip.dataHex, 'hex');
  const written = new Set<number>();
  data.forEach((byte, offset) => {
    if (byte !== 0xff) written.add(Math.floor(offset / DOUBLE_WORD_BYTES));
  });
  return [...written].sort((a, b) => a - b);
}

/** The chips in the fixtures now (`<stateDir>/<family>-<slot>.json`). */
async function chipsInFixtures(sim: SimProcess): Promise<ChipState[]> {
  const names = (await readdir(sim.stateDir)).filter((name) => /^stm32g4-\d+\.json$/.test(name));
  return Promise.all(
    names.map(async (name) => JSON.parse(await readFile(join(sim.stateDir, name), 'utf8')) as ChipState),
  );
}

describe('end to end on a double-word family (STM32G4): ordered, provisioned, attested, no lock', () => {
  let dir: string;
  let stack: LocalStack;
  let sim: SimProcess;
  let workOrderId: string;
  let deviceIds: readonly string[];
  let released: ReleasedChipFile[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-e2e-g4-'));
    stack = await startLocalStack({ dir: join(dir, 'stack'), stationIds: ['st-g4'], product: PRODUCT });
    const releaseDir = join(dir, 'release');
    sim = await startSimProcess({ family: 'stm32g4', count: 2, feeder: { releaseDir } });
    await stack.startStation(
      'st-g4',
      sim.devices.map((device) => device.port),
      { releaseDir },
    );
  });
  after(async () => {
    await stack?.close();
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('every ordered device of the G4 product is provisioned on its own chip', async () => {
    const mes = stack.client(stack.catalog.mesToken);
    const order = await orderDevices(mes, {
      productId: stack.catalog.productId,
      quantity: DEVICES,
      serialPrefix: PRODUCT.serialPrefix,
      inputs: motorDriveInputs,
    });
    ({ workOrderId, deviceIds } = order);
    const counts = await waitForWorkOrder(mes, workOrderId, { timeoutMs: 120_000 });
    assert.equal(counts.provisioned, DEVICES, JSON.stringify(counts));
    const devices = await Promise.all(
      deviceIds.map(async (id) => expectData(await mes.GET('/v1/devices/{id}', { params: { path: { id } } }))),
    );
    assert.ok(devices.every((device) => device.state === 'provisioned' && device.chipUid !== null));
    assert.equal(new Set(devices.map((device) => device.chipUid)).size, DEVICES, 'one chip per device');
    const [station] = stack.stations.values();
    assert.equal(station?.named('job-completed').length, DEVICES);
    assert.equal(station?.named('job-failed').length, 0, 'no claim failed to open');
  });

  test('each device has one attestation in the log, and the verifier accepts every bundle', async () => {
    const { attestations, verdict } = await auditWorkOrder(stack, workOrderId, join(dir, 'bundles.jsonl'));
    assert.deepEqual(attestations.map((entry) => entry.deviceId).sort(), [...deviceIds].sort());
    assert.ok(attestations.every((entry) => entry.stationId === 'st-g4' && entry.productId === PRODUCT.id));
    assert.equal(verdict.exitCode, 0);
    assert.deepEqual([verdict.total, verdict.passed, verdict.failed], [DEVICES, DEVICES, 0]);
  });

  test('each released chip has every double-word programmed once and whole, no damage, no lock', async () => {
    released = (await sim.releasedChips()).filter((chip) => chip.bin === 'done');
    assert.equal(released.length, DEVICES);
    for (const chip of released) {
      const state = chip as ReleasedChipFile & ChipState;
      assert.deepEqual(state.damaged, [], `chip ${chip.uidHex}`);
      assert.equal(state.lockBytesHex, '', 'a G4 chip has no lock bytes');
      assert.deepEqual(unevenDoubleWords(state), [], `chip ${chip.uidHex}: double-words not written once, whole`);
      assert.match(state.programCounts?.lockHex ?? '', /^$/, 'nothing claims a lock');
      // Blocks 0-4 of motor-drive-g4: serial (0-1), hw_revision (2), manufactured_at (3), factory_site
      // (4); calibration (8-11); pubkey_hash (16-19); device_uuid (24-25), service_mac (26); service_key (32-33).
      assert.deepEqual(writtenDoubleWords(state), [0, 1, 2, 3, 4, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 32, 33]);
      const key = chip.dataHex.slice(
        SERVICE_KEY.offsetBytes * 2,
        (SERVICE_KEY.offsetBytes + SERVICE_KEY.sizeBytes) * 2,
      );
      assert.ok(key !== 'ff'.repeat(16) && key !== '00'.repeat(16), `the secret is written: ${chip.uidHex}`);
    }
  });

  test('a job offered again for a provisioned device is already-provisioned and writes nothing', async () => {
    const mes = stack.client(stack.catalog.mesToken);
    const [deviceId] = deviceIds;
    assert.ok(deviceId !== undefined);
    const before = expectData(await mes.GET('/v1/devices/{id}', { params: { path: { id: deviceId } } }));
    const jobId = `${deviceId}-again`;
    const payload = { deviceId, productId: PRODUCT.id, layoutVersion: stack.catalog.layoutVersion };
    await addLineJob(stack.redis.url, stack.catalog.line, jobId, payload);
    const job = await waitForLineJob(stack.redis.url, stack.catalog.line, jobId, 'completed', 60_000);
    const result = job.returnValue as { kind?: unknown; deviceId?: unknown };
    assert.deepEqual([result.kind, result.deviceId], ['already-provisioned', deviceId]);

    const after = expectData(await mes.GET('/v1/devices/{id}', { params: { path: { id: deviceId } } }));
    assert.deepEqual([after.state, after.chipUid], ['provisioned', before.chipUid]);
    // The job met a fresh chip (the feeder refilled the fixtures) and left it blank; nothing more was released.
    const fixtures = await chipsInFixtures(sim);
    assert.equal(fixtures.length, 2);
    for (const chip of fixtures) {
      assert.equal(chip.dataHex, 'ff'.repeat(1024), 'nothing written on the chip in the fixture');
      assert.equal(chip.programCounts?.dataHex, '00'.repeat(1024));
    }
    assert.equal((await sim.releasedChips()).length, released.length);
  });
});
