import type { StationHeartbeatRecord } from '../repositories/station-heartbeat-repository.js';
import type { StationStatusView, StationView } from './stations.schemas.js';

/**
 * A station's view with its state from its latest heartbeat: online while the heartbeat is at most
 * `offlineAfterMs` old (by the database's clock, when read), offline otherwise or without one.
 */
export function withStatus(
  station: StationView,
  heartbeat: StationHeartbeatRecord | undefined,
  offlineAfterMs: number,
): StationStatusView {
  if (heartbeat === undefined) return { ...station, status: 'offline', lastSeenAt: null, version: null, fixtures: [] };
  return {
    ...station,
    status: heartbeat.ageMs <= offlineAfterMs ? 'online' : 'offline',
    lastSeenAt: heartbeat.receivedAt.toISOString(),
    version: heartbeat.version,
    fixtures: heartbeat.fixtures.map((fixture) => ({ ...fixture })),
  };
}
