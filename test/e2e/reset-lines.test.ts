// End to end with reset-driven chips (issue 10 items 1 and 2): every simulated chip powers up
// running its application (BOOT0 low), silent to the bootloader protocol. The real station, through
// its fixture lines (the simulator's control socket standing in for DTR and RTS), resets each new
// chip into its bootloader, provisions it through the real API, then starts its application with
// the exit sequence, and never takes a chip running its application for an empty fixture.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  orderDevices,
  pollUntil,
  settledReleases,
  startLocalStack,
  startSimProcess,
  waitForWorkOrder,
  type LocalStack,
  type SimProcess,
} from '../../testkit/stack/index.js';

const DEVICES = 4;
// The simulator's default board: DTR asserted → BOOT0 high, RTS asserted → NRST low (docs/fixtures.md).
const SEQUENCE = 'dtr&rts,-rts:-dtr&rts,-rts';

describe('end to end: reset-driven chips are put into their bootloader, provisioned and started', () => {
  let dir: string;
  let stack: LocalStack;
  let sim: SimProcess;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-e2e-lines-'));
    stack = await startLocalStack({ dir: join(dir, 'stack'), stationIds: ['st-1'] });
    const releaseDir = join(dir, 'release');
    const linesDir = join(dir, 'lines');
    await mkdir(linesDir);
    sim = await startSimProcess({
      family: 'stm32f4',
      count: 2,
      feeder: { releaseDir },
      lineControl: { dir: linesDir, banner: 'sensor-node 1.0\\r\\n' },
    });
    const lines = Object.fromEntries(
      sim.devices.map((device) => [
        device.port,
        { sequence: SEQUENCE, simControl: device.lineControl, startApplication: 'exit' },
      ]),
    );
    const linesFile = join(dir, 'fixture-lines.json');
    await writeFile(linesFile, JSON.stringify(lines));
    await stack.startStation(
      'st-1',
      sim.devices.map((device) => device.port),
      { releaseDir, env: { INGRAIN_FIXTURE_LINES_FILE: linesFile, INGRAIN_CHIP_POLL_MS: '100' } },
    );
  });
  after(async () => {
    await stack?.close();
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('every ordered device is provisioned on a chip that started in its application', async () => {
    assert.ok(sim.devices.every((device) => device.lineControl !== undefined));
    const mes = stack.client(stack.catalog.mesToken);
    const order = await orderDevices(mes, {
      productId: stack.catalog.productId,
      quantity: DEVICES,
      serialPrefix: 'SN-LINES-',
    });
    const counts = await waitForWorkOrder(mes, order.workOrderId, { timeoutMs: 120_000 });
    assert.equal(counts.provisioned, DEVICES, JSON.stringify(counts));
  });

  test('each provisioned chip was started (exit sequence), released locked, nothing programmed twice', async () => {
    const station = stack.stations.get('st-1');
    assert.ok(station !== undefined);
    // A chip is started and released just after its report: the last ones land after the order is done.
    const started = await pollUntil(
      'application starts',
      () => {
        const events = station.named('fixture-application-started');
        return events.length >= DEVICES ? events : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    assert.equal(started.length, DEVICES, JSON.stringify(started));
    assert.ok(started.every((event) => event['how'] === 'exit'));
    const released = (await settledReleases([sim], DEVICES, 30_000)).filter((chip) => chip.bin === 'done');
    assert.equal(released.length, DEVICES);
    for (const chip of released) assert.deepEqual(chip.damaged, [], `chip ${chip.uidHex}`);
  });

  test('a chip running its application was never taken for an empty fixture', () => {
    const station = stack.stations.get('st-1');
    assert.deepEqual(station?.named('fixture-empty'), []);
    assert.equal(station?.named('fixture-application-start-failed').length, 0);
  });
});
