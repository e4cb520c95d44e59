import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { ApiConfig } from '../config/api-config.js';
import { Metrics } from '../metrics/metrics.js';
import { StationHeartbeatRepository } from '../repositories/station-heartbeat-repository.js';
import { StationRepository } from '../repositories/station-repository.js';

/**
 * The stations' heartbeat metrics on the app's registry. The gauges are read from the database at
 * each scrape (every API process answers the same: the heartbeats are shared), the counter counts
 * the heartbeats this process received.
 */
@Injectable()
export class StationMetrics {
  readonly #heartbeats: Counter<'station'>;

  constructor(
    @Inject(Metrics) metrics: Metrics,
    @Inject(StationRepository) stations: StationRepository,
    @Inject(StationHeartbeatRepository) heartbeats: StationHeartbeatRepository,
    @Inject(ApiConfig) config: ApiConfig,
  ) {
    const registers = [metrics.registry];
    this.#heartbeats = new Counter({
      name: 'ingrain_station_heartbeats_total',
      help: 'Station heartbeats received by this API process, by station',
      labelNames: ['station'] as const,
      registers,
    });
    // Each gauge reads at its own collect: the registry gathers the metrics concurrently. A database
    // that does not answer leaves both gauges empty (the scrape itself still answers).
    const snapshot = async () => {
      try {
        const [all, latest] = await Promise.all([stations.list(), heartbeats.list()]);
        const ages = new Map(latest.map((heartbeat) => [heartbeat.stationId, heartbeat.ageMs]));
        return all.map((station) => ({ station, ageMs: ages.get(station.id) }));
      } catch {
        return [];
      }
    };
    new Gauge({
      name: 'ingrain_station_heartbeat_age_seconds',
      help: "Seconds since each station's last heartbeat (database clock), by station and line",
      labelNames: ['station', 'line'] as const,
      registers,
      async collect() {
        const rows = await snapshot();
        this.reset();
        for (const { station, ageMs } of rows) {
          if (ageMs !== undefined) this.set({ station: station.id, line: station.line }, ageMs / 1000);
        }
      },
    });
    new Gauge({
      name: 'ingrain_stations',
      help: 'Registered stations by line and status (online: a heartbeat within INGRAIN_STATION_OFFLINE_AFTER_MS)',
      labelNames: ['line', 'status'] as const,
      registers,
      async collect() {
        const counts = new Map<string, { online: number; offline: number }>();
        for (const { station, ageMs } of await snapshot()) {
          const count = counts.get(station.line) ?? { online: 0, offline: 0 };
          if (ageMs !== undefined && ageMs <= config.stations.offlineAfterMs) count.online += 1;
          else count.offline += 1;
          counts.set(station.line, count);
        }
        this.reset();
        for (const [line, count] of counts) {
          this.set({ line, status: 'online' }, count.online);
          this.set({ line, status: 'offline' }, count.offline);
        }
      },
    });
  }

  heartbeatReceived(stationId: string): void {
    this.#heartbeats.inc({ station: stationId });
  }
}
