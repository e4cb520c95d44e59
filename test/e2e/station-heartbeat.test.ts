// End to end, real processes (API, station, simulator over ptys, SoftHSM, Redis, PGlite): a station
// sends heartbeats; the admin's station list and the line view show it online with its fixtures and
// their last cycle; the station's own /metrics counts the cycles; killed (SIGKILL), it turns offline
// once INGRAIN_STATION_OFFLINE_AFTER_MS has passed since its last heartbeat (short here).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { expectData } from '#ingrain/api-client';
import {
  freePort,
  orderDevices,
  pollUntil,
  startLocalStack,
  startSimProcess,
  waitForWorkOrder,
  type LocalStack,
  type SimProcess,
  type StationProcess,
} from '../../testkit/stack/index.js';

const OFFLINE_AFTER_MS = 2_000;
const DEVICES = 2;

describe('end to end: station heartbeats, the line view and the station /metrics', () => {
  let dir: string;
  let stack: LocalStack;
  let sim: SimProcess;
  let station: StationProcess;
  let metricsPort: number;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-e2e-heartbeat-'));
    stack = await startLocalStack({
      dir: join(dir, 'stack'),
      stationIds: ['st-hb'],
      apiEnv: { INGRAIN_STATION_OFFLINE_AFTER_MS: String(OFFLINE_AFTER_MS) },
    });
    const releaseDir = join(dir, 'release');
    sim = await startSimProcess({ family: 'stm32f4', count: 2, feeder: { releaseDir } });
    metricsPort = await freePort();
    station = await stack.startStation(
      'st-hb',
      sim.devices.map((device) => device.port),
      {
        releaseDir,
        env: { INGRAIN_STATION_HEARTBEAT_MS: '200', INGRAIN_STATION_METRICS_PORT: String(metricsPort) },
      },
    );
  });
  after(async () => {
    await stack?.close();
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('provisioned devices show in the line view; the fixtures show their last cycle', async () => {
    const mes = stack.client(stack.catalog.mesToken);
    const order = await orderDevices(mes, {
      productId: stack.catalog.productId,
      quantity: DEVICES,
      serialPrefix: 'SN-HB-',
    });
    const counts = await waitForWorkOrder(mes, order.workOrderId, { timeoutMs: 120_000 });
    assert.equal(counts.provisioned, DEVICES);
    const admin = stack.client(stack.adminToken);
    const seen = await pollUntil(
      'a heartbeat showing every fixture after its cycle',
      async () => {
        const { stations } = expectData(await admin.GET('/v1/stations'));
        const own = stations.find((view) => view.id === 'st-hb');
        const cycled = own?.fixtures.filter((fixture) => fixture.lastCycle?.outcome === 'provisioned') ?? [];
        return own?.status === 'online' && cycled.length > 0 ? own : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    assert.equal(seen.version, '0.1.0');
    assert.deepEqual(
      seen.fixtures.map((fixture) => fixture.port),
      sim.devices.map((device) => device.port),
    );
    const auditor = stack.client(stack.catalog.auditorToken);
    const line = expectData(await auditor.GET('/v1/line', { params: { query: { line: stack.catalog.line } } }));
    assert.deepEqual([line.provisioned, line.quarantined, line.yield, line.failuresByReason], [DEVICES, 0, 1, []]);
    assert.deepEqual(
      line.stations.map((view) => view.id),
      ['st-hb'],
    );
  });

  test("the station's /metrics: outcomes, phase durations, spool depth, heartbeats", async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const provisioned = /^ingrain_station_cycle_outcomes_total\{outcome="provisioned"\} (\d+)$/m.exec(text);
    assert.equal(Number(provisioned?.[1]), DEVICES);
    assert.match(text, /^ingrain_station_cycle_phase_duration_seconds_bucket\{le="\+Inf",phase="lock"\} [1-9]/m);
    assert.match(text, /^ingrain_station_spool_reports 0$/m);
    assert.match(text, /^ingrain_station_heartbeats_sent_total [1-9]/m);
    const api = await (await fetch(`${stack.api.url}/metrics`)).text();
    // Online or offline depends on the heartbeats' timing on a loaded machine: the station is counted once.
    const counted = [
      ...api.matchAll(new RegExp(`^ingrain_stations\\{line="${stack.catalog.line}",status="\\w+"\\} (\\d+)$`, 'gm')),
    ];
    assert.equal(
      counted.reduce((total, match) => total + Number(match[1]), 0),
      1,
    );
  });

  test('killed, the station turns offline after the threshold; its last state stays visible', async () => {
    await station.kill();
    const admin = stack.client(stack.adminToken);
    const offline = await pollUntil(
      'the killed station to show offline',
      async () => {
        const own = expectData(await admin.GET('/v1/stations')).stations.find((view) => view.id === 'st-hb');
        return own?.status === 'offline' ? own : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    assert.ok(offline.lastSeenAt !== null);
    assert.ok(Date.now() - Date.parse(offline.lastSeenAt) >= OFFLINE_AFTER_MS - 100);
    assert.equal(offline.fixtures.length, 2);
    const line = expectData(await admin.GET('/v1/line', { params: { query: { line: stack.catalog.line } } }));
    assert.deepEqual([line.online, line.offline], [0, 1]);
  });
});
