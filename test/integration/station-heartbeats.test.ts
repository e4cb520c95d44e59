// Heartbeats through the real API (PGlite, SoftHSM, Redis): a station's heartbeat is validated,
// stored as its latest (a late one of the same boot is not stored over a newer one), shown in
// GET /v1/stations and GET /v1/line, turns offline after INGRAIN_STATION_OFFLINE_AFTER_MS, and is
// exported to /metrics. The line view counts provisioned and quarantined devices of the window.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { StationHeartbeatBody } from '#ingrain/contracts';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { seedCatalogRows, type SeededCatalog } from '../../testkit/catalog-rows.js';
import { randomChipUid, successReport, type ClaimedImage } from '../../testkit/station-reports.js';

// Short, so the offline test is quick; long enough for a request or two in between on a loaded machine.
const OFFLINE_AFTER_MS = 3_000;

let api: TestApi;
let catalog: SeededCatalog;
let stationToken: string;
let mesToken: string;
let auditorToken: string;

const bearer = (token: string) => `Bearer ${token}`;

function heartbeat(overrides: Partial<StationHeartbeatBody> = {}): StationHeartbeatBody {
  return {
    bootId: randomUUID(),
    sequence: 0,
    sentAt: new Date().toISOString(),
    version: '0.1.0',
    fixtures: [
      {
        port: '/dev/ttyUSB0',
        state: 'programming',
        phase: 'write',
        reason: null,
        deviceId: randomUUID(),
        since: new Date().toISOString(),
        lastCycle: {
          outcome: 'provisioned',
          durationsMs: { connect: 9, identify: 7.5, read: 70, plan: 1, write: 25, verify: 60, lock: 70 },
          totalMs: 242.5,
          finishedAt: new Date().toISOString(),
        },
      },
      {
        port: '/dev/ttyUSB1',
        state: 'failed',
        phase: null,
        reason: 'STATION_CHIP_CONFLICT',
        deviceId: null,
        since: new Date().toISOString(),
        lastCycle: null,
      },
    ],
    ...overrides,
  };
}

interface StationStatus {
  id: string;
  status: string;
  version: string | null;
  lastSeenAt: string | null;
  fixtures: { port: string; state: string; phase: string | null; reason: string | null }[];
}

async function send(body: object, token = stationToken) {
  return api.http().post('/v1/stations/me/heartbeat').set('Authorization', bearer(token)).send(body);
}

async function ownStatus(): Promise<StationStatus> {
  const response = await api.http().get('/v1/stations').set('Authorization', bearer(api.adminToken));
  assert.equal(response.status, 200, response.text);
  const found = (response.body as { stations: StationStatus[] }).stations.find((s) => s.id === catalog.stationId);
  assert.ok(found);
  return found;
}

async function provisionOne(): Promise<void> {
  const created = await api
    .http()
    .post('/v1/devices')
    .set('Authorization', bearer(mesToken))
    .set('Idempotency-Key', randomUUID())
    .send({ workOrderId: catalog.workOrderId, inputs: catalog.inputs });
  assert.equal(created.status, 202, created.text);
  const id = (created.body as { id: string }).id;
  const claim = await api
    .http()
    .post(`/v1/devices/${id}/claim`)
    .set('Authorization', bearer(stationToken))
    .send({ chipUid: randomChipUid(), claimId: randomUUID() });
  assert.equal(claim.status, 200, claim.text);
  const result = await api
    .http()
    .post(`/v1/devices/${id}/result`)
    .set('Authorization', bearer(stationToken))
    .send(successReport(claim.body as ClaimedImage));
  assert.equal(result.status, 200, result.text);
}

before(async () => {
  api = await startTestApi({ env: { INGRAIN_STATION_OFFLINE_AFTER_MS: String(OFFLINE_AFTER_MS) } });
  catalog = await seedCatalogRows(api.database.kysely, { quantity: 10 });
  stationToken = await api.createToken('station', 'heartbeat-station', catalog.stationId);
  mesToken = await api.createToken('mes', 'heartbeat-mes');
  auditorToken = await api.createToken('auditor', 'heartbeat-auditor');
});

after(async () => {
  await api?.close();
});

describe('station heartbeats', () => {
  test('a station never heard from is offline, never seen, without fixtures', async () => {
    const status = await ownStatus();
    assert.deepEqual([status.status, status.lastSeenAt, status.version, status.fixtures], ['offline', null, null, []]);
  });

  test('a heartbeat is stored and shown: online, version, fixtures with phase and reason', async () => {
    const body = heartbeat();
    const response = await send(body);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body, { stored: true, offlineAfterMs: OFFLINE_AFTER_MS });
    const status = await ownStatus();
    assert.equal(status.status, 'online');
    assert.equal(status.version, '0.1.0');
    assert.ok(status.lastSeenAt !== null);
    assert.deepEqual(
      status.fixtures.map((f) => [f.port, f.state, f.phase, f.reason]),
      [
        ['/dev/ttyUSB0', 'programming', 'write', null],
        ['/dev/ttyUSB1', 'failed', null, 'STATION_CHIP_CONFLICT'],
      ],
    );
  });

  test('a late heartbeat of the same boot is acknowledged but not stored over the newer one', async () => {
    const bootId = randomUUID();
    assert.equal((await send(heartbeat({ bootId, sequence: 5, version: '0.2.0' }))).status, 200);
    const late = await send(heartbeat({ bootId, sequence: 4, version: '0.1.9' }));
    assert.equal(late.status, 200, late.text);
    assert.equal((late.body as { stored: boolean }).stored, false);
    assert.equal((await ownStatus()).version, '0.2.0');
    // A new boot starts its count again and is stored.
    const restarted = await send(heartbeat({ sequence: 0, version: '0.3.0' }));
    assert.equal((restarted.body as { stored: boolean }).stored, true);
    assert.equal((await ownStatus()).version, '0.3.0');
  });

  test('heartbeats of one boot arriving together in any order: the highest sequence is the one kept', async () => {
    const bootId = randomUUID();
    const order = [7, 2, 9, 4, 8, 1, 6, 3, 5, 0];
    const answers = await Promise.all(
      order.map((sequence) => send(heartbeat({ bootId, sequence, version: `0.9.${sequence}` }))),
    );
    assert.ok(answers.every((answer) => answer.status === 200));
    assert.equal((await ownStatus()).version, '0.9.9');
  });

  test('an invalid heartbeat is refused naming the field, and nothing is stored', async () => {
    const before = await ownStatus();
    const body = heartbeat({ version: 'x'.repeat(65) });
    const fixtures = body.fixtures.map((f) => ({ ...f, state: 'failed' as const, phase: null, reason: null }));
    const response = await send({ ...body, fixtures });
    assert.equal(response.status, 400, response.text);
    const paths = (response.body as { errors: { path: string }[] }).errors.map((e) => e.path);
    assert.ok(paths.includes('body.version'), response.text);
    assert.ok(paths.includes('body.fixtures[0].reason'), response.text);
    const unknownKey = await send({ ...heartbeat(), image: 'ff' });
    assert.equal(unknownKey.status, 400, unknownKey.text);
    assert.deepEqual(await ownStatus(), before);
  });

  test('only a station token sends heartbeats', async () => {
    assert.equal((await send(heartbeat(), api.adminToken)).status, 403);
    assert.equal((await send(heartbeat(), mesToken)).status, 403);
  });

  test('the line view: stations with fixtures, yield, devices per hour; for admin, auditor and mes', async () => {
    await provisionOne();
    await provisionOne();
    for (const token of [api.adminToken, auditorToken, mesToken]) {
      await send(heartbeat());
      const response = await api
        .http()
        .get(`/v1/line?line=${catalog.line}&windowMinutes=60`)
        .set('Authorization', bearer(token));
      assert.equal(response.status, 200, response.text);
      const view = response.body as {
        line: string;
        stations: StationStatus[];
        online: number;
        provisioned: number;
        quarantined: number;
        devicesPerHour: number;
        yield: number | null;
        failuresByReason: unknown[];
      };
      assert.equal(view.line, catalog.line);
      assert.deepEqual(
        view.stations.map((s) => [s.id, s.status, s.fixtures.length]),
        [[catalog.stationId, 'online', 2]],
      );
      assert.deepEqual(
        [view.online, view.provisioned, view.quarantined, view.devicesPerHour, view.yield, view.failuresByReason],
        [1, 2, 0, 2, 1, []],
      );
    }
    const other = await api.http().get('/v1/line?line=no-such-line').set('Authorization', bearer(auditorToken));
    assert.deepEqual((other.body as { stations: unknown[]; provisioned: number }).stations, []);
    assert.equal((other.body as { provisioned: number }).provisioned, 0);
    const refused = await api.http().get('/v1/line').set('Authorization', bearer(stationToken));
    assert.equal(refused.status, 403);
  });

  test('/metrics exports the stations online and the heartbeat age', async () => {
    await send(heartbeat());
    const text = (await api.http().get('/metrics')).text;
    assert.match(text, new RegExp(`ingrain_stations\\{line="${catalog.line}",status="online"\\} 1`));
    assert.match(text, new RegExp(`ingrain_station_heartbeat_age_seconds\\{station="${catalog.stationId}"`));
    assert.match(text, new RegExp(`ingrain_station_heartbeats_total\\{station="${catalog.stationId}"\\} \\d+`));
  });

  test('heartbeats stop: the station turns offline once its last one is older than the threshold', async () => {
    await send(heartbeat());
    // Poll until the threshold has passed (no assertion on how long that took).
    let status = await ownStatus();
    while (status.status === 'online') {
      await sleep(200);
      status = await ownStatus();
    }
    assert.equal(status.status, 'offline');
    assert.ok(Date.now() - Date.parse(status.lastSeenAt ?? '') >= OFFLINE_AFTER_MS - 50);
    assert.equal(status.fixtures.length, 2, 'the last known fixtures stay visible');
    const text = (await api.http().get('/metrics')).text;
    assert.match(text, new RegExp(`ingrain_stations\\{line="${catalog.line}",status="offline"\\} 1`));
  });
});
