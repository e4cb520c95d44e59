// End to end, the real stack (API process, station processes, SoftHSM, Redis, PGlite, simulated chips
// over ptys), driven through the generated client as an MES and an auditor would: devices ordered
// over REST come out of two stations provisioned, locked and attested, and the offline verifier
// accepts every exported bundle and rejects a tampered one. Each station made its key pair with
// keygen and the admin registered it: every claim's secrets reached the chip sealed to that key.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { expectData } from '#ingrain/api-client';
import {
  auditWorkOrder,
  orderDevices,
  runVerifier,
  startLocalStack,
  startSimProcess,
  stackTrust,
  waitForWorkOrder,
  type LocalStack,
  type SimProcess,
} from '../../testkit/stack/index.js';

const DEVICES = 6;

interface Bundle {
  readonly attestation: { readonly payload: string };
}

/** The bundle with its attestation's serial changed (the signature no longer covers it). */
function withOtherSerial(bundle: Bundle): Bundle {
  const payload = JSON.parse(Buffer.from(bundle.attestation.payload, 'base64').toString('utf8')) as { serial: string };
  const edited = { ...payload, serial: `${payload.serial}-X` };
  const encoded = Buffer.from(JSON.stringify(edited)).toString('base64');
  return { ...bundle, attestation: { ...bundle.attestation, payload: encoded } };
}

describe('end to end: an MES orders devices, two stations provision them, the auditor verifies', () => {
  let dir: string;
  let stack: LocalStack;
  let sim: SimProcess;
  let workOrderId: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-e2e-'));
    stack = await startLocalStack({ dir: join(dir, 'stack'), stationIds: ['st-1', 'st-2'] });
    const releaseDir = join(dir, 'release');
    sim = await startSimProcess({ family: 'stm32f4', count: 4, feeder: { releaseDir } });
    const ports = sim.devices.map((device) => device.port);
    await stack.startStation('st-1', ports.slice(0, 2), { releaseDir });
    await stack.startStation('st-2', ports.slice(2, 4), { releaseDir });
  });
  after(async () => {
    await stack?.close();
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('every ordered device is provisioned, across both stations', async () => {
    const mes = stack.client(stack.catalog.mesToken);
    const order = await orderDevices(mes, {
      productId: stack.catalog.productId,
      quantity: DEVICES,
      serialPrefix: 'SN-E2E-',
    });
    workOrderId = order.workOrderId;
    const counts = await waitForWorkOrder(mes, workOrderId, { timeoutMs: 120_000 });
    assert.equal(counts.provisioned, DEVICES, JSON.stringify(counts));
    const devices = await Promise.all(
      order.deviceIds.map(async (id) => expectData(await mes.GET('/v1/devices/{id}', { params: { path: { id } } }))),
    );
    assert.ok(devices.every((device) => device.state === 'provisioned' && device.chipUid !== null));
    assert.equal(new Set(devices.map((device) => device.chipUid)).size, DEVICES, 'one chip per device');
    for (const station of stack.stations.values())
      assert.ok(station.named('job-completed').length > 0, `station ${station.id} provisioned some`);
  });

  test('each chip released from a fixture holds its identity, locked, with no byte programmed twice', async () => {
    const released = (await sim.releasedChips()).filter((chip) => chip.bin === 'done');
    assert.equal(released.length, DEVICES);
    for (const chip of released) {
      assert.deepEqual(chip.damaged, [], `chip ${chip.uidHex}`);
      assert.notEqual(chip.dataHex.slice(0, 32), 'ff'.repeat(16), 'the serial block is written');
      // sensor-node's pairing_key (offset 128, 16 bytes) travelled only sealed: opened by the station, written.
      const pairingKey = chip.dataHex.slice(256, 288);
      assert.ok(
        pairingKey !== 'ff'.repeat(16) && pairingKey !== '00'.repeat(16),
        `the secret is written: ${chip.uidHex}`,
      );
    }
  });

  test("each station opened its claims with the key the admin registered for it, and no other's", async () => {
    const admin = stack.client(stack.adminToken);
    const stations = expectData(await admin.GET('/v1/stations')).stations;
    const fingerprints = new Set<string>();
    for (const station of stack.stations.values()) {
      const registered = stations.find((view) => view.id === station.id)?.sealingKeyFingerprint;
      assert.match(registered ?? '', /^sha256:[0-9a-f]{64}$/);
      const [logged] = station.named('station-sealing-key-registered');
      assert.equal(logged?.['fingerprint'], registered, `station ${station.id} holds the registered key`);
      assert.equal(station.named('job-failed').length, 0, `station ${station.id}: no claim failed to open`);
      fingerprints.add(registered ?? '');
    }
    assert.equal(fingerprints.size, 2, 'a key per station');
  });

  test('the verifier accepts every exported bundle and rejects a tampered one', async () => {
    const bundles = join(dir, 'bundles.jsonl');
    const { attestations, verdict } = await auditWorkOrder(stack, workOrderId, bundles);
    assert.equal(attestations.length, DEVICES, 'exactly one attestation per device');
    assert.equal(verdict.exitCode, 0);
    assert.deepEqual([verdict.total, verdict.passed, verdict.failed], [DEVICES, DEVICES, 0]);

    const [first] = (await readFile(bundles, 'utf8')).trim().split('\n');
    assert.ok(first !== undefined);
    const tampered = join(dir, 'tampered.json');
    await writeFile(tampered, JSON.stringify(withOtherSerial(JSON.parse(first) as Bundle)));
    const rejected = await runVerifier([tampered], stackTrust(stack));
    assert.equal(rejected.exitCode, 1);
    assert.equal(rejected.failed, 1);
  });
});
