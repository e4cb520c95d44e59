import type { DeviceState } from '#ingrain/contracts';
import type { ColumnType, Generated } from 'kysely';
import type { JsonValue } from './json.js';

/** A jsonb column: read as parsed JSON, written as JSON text (see jsonText). */
type Jsonb<T extends JsonValue = JsonValue> = ColumnType<T, string, string>;
type NullableJsonb = ColumnType<JsonValue | null, string | null | undefined, string | null>;
type JsonbWithDefault<T extends JsonValue = JsonValue> = ColumnType<T, string | undefined, string>;
/** A timestamptz column the database fills in (default now()). */
type CreatedAt = ColumnType<Date, never, never>;
/** bytea: node-postgres reads a Buffer, PGlite a Uint8Array; both are Uint8Array. */
type Bytea = Uint8Array;

export const TOKEN_ROLES = ['mes', 'station', 'auditor', 'admin'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export const WORK_ORDER_STATUSES = ['open', 'closed'] as const;
export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];

export interface ProductsTable {
  id: string;
  name: string;
  line: string;
  serial_prefix: ColumnType<string, string | undefined, string>;
  serial_next: ColumnType<number, number | undefined, number>;
  layout_version_latest: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
}

export interface LayoutsTable {
  product_id: string;
  version: number;
  source_text: string;
  definition: Jsonb;
  digest: string;
  family: string;
  created_at: CreatedAt;
}

export interface StationsTable {
  id: string;
  name: string;
  line: string;
  created_at: CreatedAt;
  /** 65-byte uncompressed SEC1 P-256 point (docs/sealing.md); null until registered. */
  sealing_public_key: ColumnType<Bytea | null, Bytea | null | undefined, Bytea | null>;
  sealing_key_registered_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  role: TokenRole;
  station_id: string | null;
  token_hash: Bytea;
  created_at: CreatedAt;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface WorkOrdersTable {
  id: string;
  product_id: string;
  layout_version: number;
  quantity: number;
  issued: ColumnType<number, number | undefined, number>;
  status: ColumnType<WorkOrderStatus, WorkOrderStatus | undefined, WorkOrderStatus>;
  report: NullableJsonb;
  created_at: CreatedAt;
  closed_at: Date | null;
}

export interface DevicesTable {
  id: string;
  product_id: string;
  layout_version: number;
  work_order_id: string | null;
  serial: string;
  state: ColumnType<DeviceState, DeviceState | undefined, DeviceState>;
  idempotency_key: string;
  requested_by: string;
  request_hash: Bytea;
  chip_uid: Bytea | null;
  station_id: string | null;
  job_id: string | null;
  image_data: Bytea;
  lock_blocks: JsonbWithDefault<number[]>;
  secret_fields: JsonbWithDefault;
  sealed_private_key: Bytea | null;
  public_key_spki: Bytea | null;
  certificate_der: Bytea | null;
  certificate_sha256: Bytea | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface DeviceEventsTable {
  id: Generated<number>;
  device_id: string;
  at: ColumnType<Date, Date | undefined, never>;
  from_state: DeviceState | null;
  to_state: DeviceState;
  reason: string | null;
  actor: string;
  chip_uid: Bytea | null;
  details: NullableJsonb;
}

export interface AttestationsTable {
  leaf_index: number;
  device_id: string;
  envelope: string;
  serial: string;
  chip_uid: Bytea;
  product_id: string;
  work_order_id: string | null;
  station_id: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface LogLeavesTable {
  leaf_hash: Bytea;
  leaf_index: number;
}

export interface LogNodesTable {
  level: number;
  index: number;
  hash: Bytea;
}

export interface LogStateTable {
  id: ColumnType<boolean, boolean | undefined, never>;
  tree_size: number;
}

export interface LogCheckpointsTable {
  tree_size: number;
  root_hash: Bytea;
  note: string;
  created_at: CreatedAt;
}

/** The schema of migrations/, as Kysely sees it. */
/** A web console session (migration 0007): the id only as its SHA-256. */
export interface ConsoleSessionsTable {
  id_hash: Bytea;
  token_id: string;
  csrf_token: string;
  created_at: CreatedAt;
  last_seen_at: ColumnType<Date, Date | undefined, Date>;
  expires_at: Date;
}

export interface Tables {
  products: ProductsTable;
  layouts: LayoutsTable;
  stations: StationsTable;
  api_tokens: ApiTokensTable;
  work_orders: WorkOrdersTable;
  devices: DevicesTable;
  device_events: DeviceEventsTable;
  attestations: AttestationsTable;
  log_leaves: LogLeavesTable;
  log_nodes: LogNodesTable;
  log_state: LogStateTable;
  log_checkpoints: LogCheckpointsTable;
  console_sessions: ConsoleSessionsTable;
}
