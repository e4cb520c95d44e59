import type { DeviceState } from '#ingrain/contracts';
import type { Executor } from '../database/executor.js';

/** One device state change, as the console's Line page lists it. */
export interface DeviceChangeRecord {
  readonly id: number;
  readonly at: Date;
  readonly deviceId: string;
  readonly serial: string;
  readonly from: DeviceState | null;
  readonly to: DeviceState;
  readonly reason: string | null;
  readonly stationId: string | null;
}

/** What the console's live Line view reads besides `GET /v1/line`: recent changes and devices by state. */
export class LineActivityRepository {
  constructor(private readonly db: Executor) {}

  /** The latest `limit` device state changes, newest first, with the station that made each (null: not a station). */
  async recentChanges(limit: number): Promise<DeviceChangeRecord[]> {
    const rows = await this.db
      .selectFrom('device_events')
      .innerJoin('devices', 'devices.id', 'device_events.device_id')
      // A station's own changes (claim, result) name it as the actor; the others (request, release) do not.
      .leftJoin('stations', 'stations.id', 'device_events.actor')
      .select([
        'device_events.id',
        'device_events.at',
        'device_events.device_id',
        'devices.serial',
        'device_events.from_state',
        'device_events.to_state',
        'device_events.reason',
        'stations.id as station_id',
      ])
      .orderBy('device_events.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      at: row.at,
      deviceId: row.device_id,
      serial: row.serial,
      from: row.from_state,
      to: row.to_state,
      reason: row.reason,
      stationId: row.station_id,
    }));
  }

  /** Every production line named by a product or a station (each has its job queue). */
  async lines(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('products')
      .select('line')
      .union(this.db.selectFrom('stations').select('line'))
      .execute();
    return [...new Set(rows.map((row) => row.line))].sort();
  }

  /** How many devices are in each state. */
  async devicesByState(): Promise<Partial<Record<DeviceState, number>>> {
    const rows = await this.db
      .selectFrom('devices')
      .select(['state', (eb) => eb.fn.countAll<string>().as('count')])
      .groupBy('state')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
  }
}
