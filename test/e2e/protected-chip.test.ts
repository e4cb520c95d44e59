// End to end, the real stack (issue 10 item 3): a readout-protected chip (RDP level 1: Get ID
// answers, Read Memory is refused) sits in the fixture when a device is ordered. The station's
// probe knows it within seconds, releases it to the quarantine bin unwritten, and reports it; the
// API records a chip-protected event on the device, which is not spent on that chip and is
// provisioned on the next one. Never an endless wait, never a write to the protected chip.
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
  type StationProcess,
} from '../../testkit/stack/index.js';
import { SimulatedDevice, startTestSimulator, type TestSimulator } from '../support/simulator.js';
import { readDevice } from './support/fault-fixtures.js';

describe('end to end: a readout-protected chip is quarantined at once; the device goes to the next chip', () => {
  let dir: string;
  let stack: LocalStack;
  let sim: TestSimulator;
  let station: StationProcess;
  let protectedChip: SimulatedDevice;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-e2e-protected-'));
    stack = await startLocalStack({ dir: join(dir, 'stack'), stationIds: ['st-1'] });
    const releaseDir = join(dir, 'release');
    // Two chips through the fixture: the protected one, then a blank one.
    sim = await startTestSimulator({ family: 'stm32f4', count: 1, feeder: { releaseDir, chipsPerFixture: 2 } });
    protectedChip = new SimulatedDevice({ family: 'stm32f4', readoutProtection: 'level-1' });
    sim.feeder?.insert(0, protectedChip);
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

  test('released to quarantine within seconds, recorded by the API, the device provisioned on the next chip', async (t) => {
    const mes = stack.client(stack.catalog.mesToken);
    const order = await orderDevices(mes, { productId: stack.catalog.productId, quantity: 1, serialPrefix: 'SN-RDP-' });
    const orderedAtMs = performance.now();
    const [deviceId] = order.deviceIds;
    assert.ok(deviceId !== undefined);

    const chip = await pollUntil(
      'the protected chip released',
      () => sim.feeder?.released().find((released) => released.uidHex === protectedChip.uidHex),
      { timeoutMs: 15_000 },
    );
    const releasedAfterMs = performance.now() - orderedAtMs;
    t.diagnostic(`protected chip released ${Math.round(releasedAfterMs)} ms after the order`);
    assert.equal(chip.bin, 'quarantine');
    assert.match(chip.reason, /^STATION_CHIP_PROTECTED: /);
    assert.ok(/^f+$/.test(chip.state.dataHex + chip.state.lockBytesHex), 'nothing written to the protected chip');
    assert.equal(chip.state.readoutProtection, 'level-1');
    assert.ok(releasedAfterMs < 10_000, `released ${Math.round(releasedAfterMs)} ms after the order`);

    const counts = await waitForWorkOrder(mes, order.workOrderId, { timeoutMs: 60_000 });
    assert.deepEqual([counts.provisioned, counts.quarantined], [1, 0], JSON.stringify(counts));
    const device = await readDevice(mes, deviceId);
    assert.equal(device.state, 'provisioned');
    assert.notEqual(device.chipUid, protectedChip.uidHex);
    const refusal = device.history.find((event) => event.reason === 'chip-protected');
    assert.ok(refusal, `history: ${JSON.stringify(device.history.map((event) => event.reason))}`);
    assert.equal(refusal.toState, 'queued');
    assert.equal(refusal.details?.['stationOutcome'], 'protected');
    assert.equal(refusal.details?.['errorCode'], 'CHIP_READOUT_PROTECTED');
    assert.ok(station.named('protected-chip-reported').length >= 1);
  });
});
