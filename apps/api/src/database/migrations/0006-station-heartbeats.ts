// The latest heartbeat of each station (docs/observability.md): its version and fixtures' states,
// one row per station, replaced by each newer heartbeat. `received_at` is the database's clock when
// the heartbeat was stored (one clock for every API process); a station is offline when it is older
// than INGRAIN_STATION_OFFLINE_AFTER_MS, computed when read.
import type { SqlMigration } from './sql-migration.js';

export const stationHeartbeatsMigration: SqlMigration = {
  statements: [
    `create table station_heartbeats (
      station_id text primary key references stations (id) on delete cascade,
      boot_id uuid not null,
      sequence_number integer not null check (sequence_number >= 0),
      version text not null,
      fixtures jsonb not null,
      sent_at timestamptz not null,
      received_at timestamptz not null
    )`,
  ],
};
