import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { CONSTRAINTS } from '../database/constraints.js';
import { DatabaseError } from '../database/errors.js';
import {
  StationHeartbeatRepository,
  type StationHeartbeatRecord,
} from '../repositories/station-heartbeat-repository.js';
import { PrincipalCache } from '../auth/principal-cache.js';
import { StationRepository, type StationRecord } from '../repositories/station-repository.js';
import type { ApiTokenRecord } from '../repositories/token-repository.js';
import { automock, type Automocked, callsOf, resolves, stub } from '../testing/automock.js';
import { mesPrincipal, STATION_ID, stationPrincipal } from '../testing/fixtures.js';
import { mockTransactions, type MockRepositories } from '../testing/transactions.js';
import { StationMetrics } from './station-metrics.js';
import { StationsService } from './stations.service.js';

const AT = new Date('2026-01-01T00:00:00Z');
const station: StationRecord = {
  id: STATION_ID,
  name: 'Station 1',
  line: 'line-a',
  createdAt: AT,
  sealingPublicKey: null,
  sealingKeyRegisteredAt: null,
};
const OFFLINE_AFTER_MS = 10_000;
const FIXTURE = {
  port: '/dev/ttyUSB0',
  state: 'programming' as const,
  phase: 'write' as const,
  reason: null,
  deviceId: null,
  since: AT.toISOString(),
  lastCycle: null,
};
const heartbeatBody = () => ({
  bootId: '0b8f6d2e-4c1a-4f0e-9a57-3c2d1e0f9a01',
  sequence: 3,
  sentAt: AT.toISOString(),
  version: '0.1.0',
  fixtures: [FIXTURE],
});
const heartbeatRecord = (stationId: string, ageMs: number): StationHeartbeatRecord => ({
  stationId,
  bootId: '0b8f6d2e-4c1a-4f0e-9a57-3c2d1e0f9a01',
  sequence: 3,
  version: '0.1.0',
  fixtures: [FIXTURE],
  sentAt: AT,
  receivedAt: AT,
  ageMs,
});
const KEY = Uint8Array.from([4, ...new Array<number>(64).fill(7)]);
const request = { id: STATION_ID, name: 'Station 1', line: 'line-a' };

describe('StationsService', () => {
  let tx: MockRepositories;
  let stations: Automocked<StationRepository>;
  let heartbeats: Automocked<StationHeartbeatRepository>;
  let metrics: Automocked<StationMetrics>;
  let service: StationsService;
  let principals: Automocked<PrincipalCache>;

  beforeEach(() => {
    const transactions = mockTransactions();
    tx = transactions.tx;
    stations = automock(StationRepository);
    heartbeats = automock(StationHeartbeatRepository);
    metrics = automock(StationMetrics);
    const config = { stations: { offlineAfterMs: OFFLINE_AFTER_MS } };
    principals = automock(PrincipalCache);
    stub(principals, 'forgetStation', () => undefined);
    service = new StationsService(transactions.transactions, stations, heartbeats, config, metrics, principals);
  });

  test('create registers the station and its first station token in one transaction', async () => {
    resolves(tx.stations, 'create', station);
    resolves(tx.tokens, 'create', {
      id: 't1',
      name: `station-${STATION_ID}`,
      role: 'station',
      stationId: STATION_ID,
      createdAt: AT,
      lastUsedAt: null,
      revokedAt: null,
    } as unknown as ApiTokenRecord);
    const created = await service.create(request);
    assert.deepEqual(callsOf(tx.stations, 'create'), [[request]]);
    const [[token]] = callsOf(tx.tokens, 'create') as [Parameters<typeof tx.tokens.create>];
    assert.deepEqual([token.name, token.role, token.stationId], [`station-${STATION_ID}`, 'station', STATION_ID]);
    assert.equal(created.station.id, STATION_ID);
    assert.ok(created.token.token.length > 0);
    assert.equal(callsOf(stations, 'create').length, 0, 'nothing written outside the transaction');
  });

  test('a taken id: STATION_EXISTS, no token', async () => {
    stub(tx.stations, 'create', () =>
      Promise.reject(new DatabaseError('UNIQUE_VIOLATION', 'taken', { constraint: CONSTRAINTS.stationPrimaryKey })),
    );
    await assert.rejects(service.create(request), { code: 'STATION_EXISTS' });
    assert.equal(callsOf(tx.tokens, 'create').length, 0);
  });

  test('setSealingKey registers the key and shows its fingerprint, never the key', async () => {
    resolves(stations, 'setSealingKey', { ...station, sealingPublicKey: KEY, sealingKeyRegisteredAt: AT });
    const view = await service.setSealingKey(STATION_ID, KEY);
    assert.deepEqual(callsOf(stations, 'setSealingKey'), [[STATION_ID, KEY]]);
    assert.match(view.sealingKeyFingerprint ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(view.sealingKeyRegisteredAt, AT.toISOString());
    assert.ok(!JSON.stringify(view).includes(Buffer.from(KEY).toString('hex')));
    // The station tokens' cached principals carry the old key: dropped at once.
    assert.deepEqual(callsOf(principals, 'forgetStation'), [[STATION_ID]]);
  });

  test('setSealingKey of an unknown station: STATION_NOT_FOUND', async () => {
    resolves(stations, 'setSealingKey', undefined);
    await assert.rejects(service.setSealingKey('nope', KEY), { code: 'STATION_NOT_FOUND' });
  });

  test('list shows every station', async () => {
    resolves(stations, 'list', [station]);
    resolves(heartbeats, 'list', []);
    assert.deepEqual(
      (await service.list()).stations.map((s) => s.id),
      [STATION_ID],
    );
  });

  test('list: a station without a heartbeat is offline, never seen, without fixtures', async () => {
    resolves(stations, 'list', [station]);
    resolves(heartbeats, 'list', []);
    const [view] = (await service.list()).stations;
    assert.deepEqual([view?.status, view?.lastSeenAt, view?.version, view?.fixtures], ['offline', null, null, []]);
  });

  test('list: online up to the offline threshold, offline past it, with version and fixtures', async () => {
    const other = { ...station, id: 'st-2' };
    resolves(stations, 'list', [station, other]);
    resolves(heartbeats, 'list', [
      heartbeatRecord(STATION_ID, OFFLINE_AFTER_MS),
      heartbeatRecord('st-2', OFFLINE_AFTER_MS + 1),
    ]);
    const views = (await service.list()).stations;
    assert.deepEqual(
      views.map((view) => [view.id, view.status, view.version, view.lastSeenAt]),
      [
        [STATION_ID, 'online', '0.1.0', AT.toISOString()],
        ['st-2', 'offline', '0.1.0', AT.toISOString()],
      ],
    );
    assert.deepEqual(views[0]?.fixtures, [FIXTURE]);
  });

  test("heartbeat stores the calling station's heartbeat and counts it", async () => {
    resolves(heartbeats, 'record', true);
    stub(metrics, 'heartbeatReceived', () => undefined);
    const body = heartbeatBody();
    assert.deepEqual(await service.heartbeat(stationPrincipal(), body), {
      stored: true,
      offlineAfterMs: OFFLINE_AFTER_MS,
    });
    assert.deepEqual(callsOf(heartbeats, 'record'), [[STATION_ID, body]]);
    assert.deepEqual(callsOf(metrics, 'heartbeatReceived'), [[STATION_ID]]);
  });

  test('heartbeat from a token of another role: STATION_TOKEN_REQUIRED, nothing stored', async () => {
    await assert.rejects(service.heartbeat(mesPrincipal(), heartbeatBody()), { code: 'STATION_TOKEN_REQUIRED' });
    assert.equal(callsOf(heartbeats, 'record').length, 0);
  });

  test("me answers the station token's own station", async () => {
    resolves(stations, 'get', station);
    const view = await service.me(stationPrincipal());
    assert.deepEqual([view.id, view.line], [STATION_ID, 'line-a']);
    assert.deepEqual(callsOf(stations, 'get'), [[STATION_ID]]);
  });

  test('me refuses a token of another role: STATION_TOKEN_REQUIRED, nothing read', async () => {
    await assert.rejects(service.me(mesPrincipal()), { code: 'STATION_TOKEN_REQUIRED' });
    assert.equal(callsOf(stations, 'get').length, 0);
  });
});
