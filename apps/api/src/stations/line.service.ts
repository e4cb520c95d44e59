import { Inject, Injectable } from '@nestjs/common';
import { ApiConfig } from '../config/api-config.js';
import { StationHeartbeatRepository } from '../repositories/station-heartbeat-repository.js';
import type { LineQuery, LineView } from './stations.schemas.js';
import { StationsService } from './stations.service.js';

const MS_PER_MINUTE = 60_000;

/**
 * The line view (`GET /v1/line`): the stations with their fixtures (from heartbeats), and over a
 * window, devices per hour, yield and quarantines by reason (from the devices' events).
 */
@Injectable()
export class LineService {
  constructor(
    @Inject(StationsService) private readonly stations: Pick<StationsService, 'list'>,
    @Inject(StationHeartbeatRepository) private readonly heartbeats: Pick<StationHeartbeatRepository, 'outcomesSince'>,
    @Inject(ApiConfig) private readonly config: Pick<ApiConfig, 'stations'>,
  ) {}

  async view(query: LineQuery, now: Date = new Date()): Promise<LineView> {
    const windowMs = query.windowMinutes * MS_PER_MINUTE;
    const [{ stations: all }, outcomes] = await Promise.all([
      this.stations.list(),
      this.heartbeats.outcomesSince(windowMs, query.line),
    ]);
    const stations = query.line === undefined ? all : all.filter((station) => station.line === query.line);
    const online = stations.filter((station) => station.status === 'online').length;
    const provisioned = sum(outcomes.filter((o) => o.state === 'provisioned').map((o) => o.count));
    const byReason = new Map<string, number>();
    for (const outcome of outcomes.filter((o) => o.state === 'quarantined')) {
      const reason = outcome.reason ?? 'unknown';
      byReason.set(reason, (byReason.get(reason) ?? 0) + outcome.count);
    }
    const quarantined = sum([...byReason.values()]);
    const finished = provisioned + quarantined;
    return {
      line: query.line ?? null,
      generatedAt: now.toISOString(),
      windowMinutes: query.windowMinutes,
      offlineAfterMs: this.config.stations.offlineAfterMs,
      stations,
      online,
      offline: stations.length - online,
      provisioned,
      quarantined,
      devicesPerHour: (provisioned * 60) / query.windowMinutes,
      yield: finished === 0 ? null : provisioned / finished,
      failuresByReason: [...byReason]
        .map(([reason, count]) => ({ reason, count }))
        .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    };
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
