import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { StationHeartbeatRepository } from '../repositories/station-heartbeat-repository.js';
import { automock, type Automocked, callsOf, resolves } from '../testing/automock.js';
import { LineService } from './line.service.js';
import type { StationStatusView } from './stations.schemas.js';
import { StationsService } from './stations.service.js';

const AT = '2026-01-01T00:00:00.000Z';
const station = (id: string, line: string, status: 'online' | 'offline'): StationStatusView => ({
  id,
  name: id,
  line,
  createdAt: AT,
  sealingKeyFingerprint: null,
  sealingKeyRegisteredAt: null,
  status,
  lastSeenAt: AT,
  version: '0.1.0',
  fixtures: [],
});

describe('LineService', () => {
  let stations: Automocked<StationsService>;
  let heartbeats: Automocked<StationHeartbeatRepository>;
  let service: LineService;

  beforeEach(() => {
    stations = automock(StationsService);
    heartbeats = automock(StationHeartbeatRepository);
    service = new LineService(stations, heartbeats, { stations: { offlineAfterMs: 5_000 } });
    resolves(stations, 'list', {
      stations: [
        station('a1', 'line-a', 'online'),
        station('a2', 'line-a', 'offline'),
        station('b1', 'line-b', 'online'),
      ],
      nextCursor: null,
    });
  });

  test('yield, devices per hour and failures by reason over the window', async () => {
    resolves(heartbeats, 'outcomesSince', [
      { state: 'provisioned', reason: 'exact-match', count: 7 },
      { state: 'provisioned', reason: null, count: 2 },
      { state: 'quarantined', reason: 'conflict', count: 2 },
      { state: 'quarantined', reason: 'verify-failed', count: 1 },
      { state: 'quarantined', reason: null, count: 2 },
    ]);
    const view = await service.view({ windowMinutes: 30 });
    assert.equal(view.provisioned, 9);
    assert.equal(view.quarantined, 5);
    assert.equal(view.devicesPerHour, 18);
    assert.equal(view.yield, 9 / 14);
    assert.deepEqual(view.failuresByReason, [
      { reason: 'conflict', count: 2 },
      { reason: 'unknown', count: 2 },
      { reason: 'verify-failed', count: 1 },
    ]);
    assert.deepEqual([view.online, view.offline, view.offlineAfterMs, view.line], [2, 1, 5_000, null]);
    assert.deepEqual(callsOf(heartbeats, 'outcomesSince'), [[30 * 60_000, undefined]]);
  });

  test('one line: only its stations and its devices; no finished device: yield null', async () => {
    resolves(heartbeats, 'outcomesSince', []);
    const view = await service.view({ windowMinutes: 60, line: 'line-a' });
    assert.deepEqual(
      view.stations.map((s) => s.id),
      ['a1', 'a2'],
    );
    assert.deepEqual([view.online, view.offline, view.yield, view.devicesPerHour], [1, 1, null, 0]);
    assert.deepEqual(callsOf(heartbeats, 'outcomesSince'), [[60 * 60_000, 'line-a']]);
  });
});
