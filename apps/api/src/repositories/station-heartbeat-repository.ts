import type { FixtureHeartbeat, StationHeartbeat } from '#ingrain/contracts';
import { sql } from 'kysely';
import type { Executor } from '../database/executor.js';
import { jsonText, type JsonValue } from '../database/json.js';

/** The latest stored heartbeat of a station, with its age by the database's clock. */
export interface StationHeartbeatRecord {
  readonly stationId: string;
  readonly bootId: string;
  readonly sequence: number;
  readonly version: string;
  readonly fixtures: readonly FixtureHeartbeat[];
  readonly sentAt: Date;
  /** When the API stored it (the database's clock): the station's last-seen instant. */
  readonly receivedAt: Date;
  /** Milliseconds from `receivedAt` to the database's now, when read. */
  readonly ageMs: number;
}

/** Finished devices of a window, by final state and reason (the Line page's yield and failures). */
export interface OutcomeCount {
  readonly state: 'provisioned' | 'quarantined';
  readonly reason: string | null;
  readonly count: number;
}

/**
 * station_heartbeats: one row per station, its latest heartbeat. Writes are one upsert (safe with
 * several API processes: the row lock orders them); a heartbeat older than the stored one of the
 * same boot is not stored over it.
 */
export class StationHeartbeatRepository {
  constructor(private readonly db: Executor) {}

  /**
   * Stores `heartbeat` as the station's latest unless the stored one is newer (same boot, higher or
   * equal sequence). Returns whether it was stored. The station must exist (FOREIGN_KEY_VIOLATION
   * otherwise).
   */
  async record(stationId: string, heartbeat: StationHeartbeat): Promise<boolean> {
    const row = await this.db
      .insertInto('station_heartbeats')
      .values({
        station_id: stationId,
        boot_id: heartbeat.bootId,
        sequence_number: heartbeat.sequence,
        version: heartbeat.version,
        fixtures: jsonText(heartbeat.fixtures as unknown as JsonValue),
        sent_at: new Date(heartbeat.sentAt),
        received_at: sql<Date>`now()`,
      })
      .onConflict((conflict) =>
        conflict
          .column('station_id')
          .doUpdateSet((eb) => ({
            boot_id: eb.ref('excluded.boot_id'),
            sequence_number: eb.ref('excluded.sequence_number'),
            version: eb.ref('excluded.version'),
            fixtures: eb.ref('excluded.fixtures'),
            sent_at: eb.ref('excluded.sent_at'),
            received_at: eb.ref('excluded.received_at'),
          }))
          .where((eb) =>
            eb.or([
              eb('station_heartbeats.boot_id', '<>', eb.ref('excluded.boot_id')),
              eb('station_heartbeats.sequence_number', '<', eb.ref('excluded.sequence_number')),
            ]),
          ),
      )
      .returning('station_id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Every station's latest heartbeat, by station id. */
  async list(): Promise<StationHeartbeatRecord[]> {
    const rows = await this.db
      .selectFrom('station_heartbeats')
      .select([
        'station_id',
        'boot_id',
        'sequence_number',
        'version',
        'fixtures',
        'sent_at',
        'received_at',
        sql<number>`(extract(epoch from (now() - received_at)) * 1000)::float8`.as('age_ms'),
      ])
      .orderBy('station_id')
      .execute();
    return rows.map((row) => ({
      stationId: row.station_id,
      bootId: row.boot_id,
      sequence: row.sequence_number,
      version: row.version,
      fixtures: row.fixtures as unknown as FixtureHeartbeat[],
      sentAt: row.sent_at,
      receivedAt: row.received_at,
      ageMs: Math.max(0, Number(row.age_ms)),
    }));
  }

  /**
   * Devices that became provisioned or quarantined in the last `windowMs` by the database's clock,
   * reported by a station (of `line` when given), counted by final state and reason.
   */
  async outcomesSince(windowMs: number, line?: string): Promise<OutcomeCount[]> {
    let query = this.db
      .selectFrom('device_events')
      .innerJoin('stations', 'stations.id', 'device_events.actor')
      .select([
        'device_events.to_state as state',
        'device_events.reason as reason',
        sql<number>`count(*)::int`.as('count'),
      ])
      .where('device_events.to_state', 'in', ['provisioned', 'quarantined'])
      .where('device_events.at', '>', sql<Date>`now() - make_interval(secs => ${windowMs / 1000})`)
      .groupBy(['device_events.to_state', 'device_events.reason'])
      .orderBy('device_events.to_state')
      .orderBy('device_events.reason');
    if (line !== undefined) query = query.where('stations.line', '=', line);
    const rows = await query.execute();
    return rows.map((row) => ({
      state: row.state as OutcomeCount['state'],
      reason: row.reason,
      count: Number(row.count),
    }));
  }
}
