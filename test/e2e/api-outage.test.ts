// End to end, the real stack: the API dies (SIGKILL) right after a station claimed a device, while
// the station programs the chip. The station finishes the chip, keeps its result in the durable
// spool (on disk before any post), completes the job and releases the chip; when the API is back
// the spooled result is delivered and the device ends provisioned with exactly one attestation.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  orderDevices,
  pollUntil,
  startLocalStack,
  startSimProcess,
  type LocalStack,
  type SimProcess,
  type StationProcess,
  auditWorkOrder,
} from '../../testkit/stack/index.js';
import { readDevice, StationEventTap } from './support/fault-fixtures.js';
import { readLineJob } from './support/line-jobs.js';

/**
 * Wire timing of the simulated chip and the station's line rate. Slower than the usual 115200 so
 * that the cycle (about 1.5 s here) surely outlasts the kill, which lands a few ms after the claim.
 */
const BAUD_RATE = 19_200;

describe('end to end: the API is down while a station finishes a device', () => {
  const tap = new StationEventTap();
  let dir: string;
  let stack: LocalStack;
  let sim: SimProcess;
  let station: StationProcess;
  let pendingDir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-e2e-outage-'));
    stack = await startLocalStack({ dir: join(dir, 'stack'), stationIds: ['st-1'], onStationEvent: tap.listener });
    const releaseDir = join(dir, 'release');
    sim = await startSimProcess({
      family: 'stm32f4',
      count: 1,
      baudTiming: BAUD_RATE,
      feeder: { releaseDir, chipsPerFixture: 1 },
    });
    station = await stack.startStation(
      'st-1',
      sim.devices.map((device) => device.port),
      { releaseDir, env: { INGRAIN_BAUD: String(BAUD_RATE) } },
    );
    pendingDir = join(stack.dir, 'stations', 'st-1', 'spool', 'pending');
  });
  after(async () => {
    await stack?.close();
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('the result waits in the spool, the chip is released, and the result arrives once the API is back', async () => {
    // The claim succeeded once the station logs the programming step: kill the API right then.
    let killed: Promise<void> | undefined;
    tap.once(
      (event) => event.event === 'job-programming',
      () => {
        killed = stack.api.kill();
      },
    );
    const mes = stack.client(stack.catalog.mesToken);
    const order = await orderDevices(mes, { productId: stack.catalog.productId, quantity: 1, serialPrefix: 'SN-OUT-' });
    const [deviceId] = order.deviceIds;
    assert.ok(deviceId !== undefined);

    const ofDevice = { timeoutMs: 30_000 };
    const spooled = await station.waitFor('report-spooled', (event) => event['deviceId'] === deviceId, ofDevice);
    assert.ok(killed !== undefined, 'the API was killed after the claim');
    await killed;
    assert.equal(spooled['outcome'], 'provisioned');
    assert.equal(spooled['errorCode'], 'STATION_API_UNREACHABLE');
    const pending = (await readdir(pendingDir)).filter((name) => name.endsWith('.json'));
    assert.equal(pending.length, 1, `one report waits in ${pendingDir}`);
    const entry = JSON.parse(await readFile(join(pendingDir, pending[0] ?? ''), 'utf8')) as {
      deviceId: string;
      report: { outcome: string };
    };
    assert.deepEqual([entry.deviceId, entry.report.outcome], [deviceId, 'provisioned']);

    await station.waitFor('job-completed', (event) => event['jobId'] === deviceId, ofDevice);
    const [chip] = await pollUntil(
      'the chip released',
      async () => {
        const released = await sim.releasedChips();
        return released.length > 0 ? released : undefined;
      },
      { timeoutMs: 10_000 },
    );
    assert.equal(chip?.bin, 'done', 'the chip is done: its result is on disk');
    assert.deepEqual(chip.damaged, []);
    assert.deepEqual(station.named('report-delivered'), [], 'nothing was delivered while the API was down');

    await stack.api.start();
    const delivered = await station.waitFor('report-delivered', (event) => event['deviceId'] === deviceId, {
      timeoutMs: 60_000,
    });
    assert.deepEqual([delivered['outcome'], delivered['verdict']], ['provisioned', 'provisioned']);
    assert.deepEqual(
      (await readdir(pendingDir)).filter((name) => name.endsWith('.json')),
      [],
      'the spool is empty once delivered',
    );

    const device = await readDevice(mes, deviceId);
    assert.equal(device.state, 'provisioned');
    assert.equal(device.chipUid, chip.uidHex);
    const audit = await auditWorkOrder(stack, order.workOrderId, join(dir, 'outage.jsonl'));
    assert.deepEqual(
      audit.attestations.map((attestation) => attestation.leafIndex),
      [device.attestationLeafIndex],
      'exactly one attestation',
    );
    assert.deepEqual([audit.verdict.exitCode, audit.verdict.passed], [0, 1]);
    const job = await readLineJob(stack.redis.url, stack.catalog.line, deviceId);
    assert.deepEqual([job?.state, job?.attemptsMade], ['completed', 1], 'the job completed on its first attempt');
  });
});
