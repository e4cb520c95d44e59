// The first schema: the tables of docs/api.md. Constraints do the enforcing (uniqueness of serials,
// chip UIDs and idempotency keys; enumerations; counters that cannot go past their limit), so two
// API processes racing each other still cannot break an invariant. Constraint names are stable:
// code refers to them through CONSTRAINTS (../constraints.ts).
import type { SqlMigration } from './sql-migration.js';

const DEVICE_STATES = `('queued', 'claimed', 'provisioned', 'quarantined', 'scrapped')`;

/** Refuses UPDATE and DELETE on append-only tables (SQLSTATE 23001 restrict_violation). */
const APPEND_ONLY_FUNCTION = `
create function ingrain_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'rows of % are append-only', tg_table_name using errcode = 'restrict_violation';
end
$$`;

const appendOnly = (table: string): string =>
  `create trigger ${table}_append_only before update or delete on ${table}
   for each row execute function ingrain_refuse_change()`;

const TABLES: readonly string[] = [
  `create table products (
    id text primary key,
    name text not null,
    line text not null,
    serial_prefix text not null default '',
    serial_next bigint not null default 1 constraint products_serial_next_check check (serial_next >= 1),
    layout_version_latest integer not null default 0
      constraint products_layout_version_latest_check check (layout_version_latest >= 0),
    created_at timestamptz not null default now()
  )`,
  `create table layouts (
    product_id text not null constraint layouts_product_fkey references products (id),
    version integer not null constraint layouts_version_check check (version >= 1),
    source_text text not null,
    definition jsonb not null,
    digest text not null constraint layouts_digest_check check (digest ~ '^[0-9a-f]{64}$'),
    family text not null,
    created_at timestamptz not null default now(),
    constraint layouts_pkey primary key (product_id, version)
  )`,
  `create table stations (
    id text primary key,
    name text not null,
    line text not null,
    created_at timestamptz not null default now()
  )`,
  `create table api_tokens (
    id uuid primary key,
    name text not null,
    role text not null constraint api_tokens_role_check check (role in ('mes', 'station', 'auditor', 'admin')),
    station_id text constraint api_tokens_station_fkey references stations (id),
    token_hash bytea not null constraint api_tokens_token_hash_key unique
      constraint api_tokens_token_hash_check check (octet_length(token_hash) = 32),
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at timestamptz,
    constraint api_tokens_station_binding_check check ((role = 'station') = (station_id is not null))
  )`,
  `create table work_orders (
    id uuid primary key,
    product_id text not null,
    layout_version integer not null,
    quantity integer not null constraint work_orders_quantity_check check (quantity > 0),
    issued integer not null default 0
      constraint work_orders_issued_check check (issued >= 0 and issued <= quantity),
    status text not null default 'open' constraint work_orders_status_check check (status in ('open', 'closed')),
    report jsonb,
    created_at timestamptz not null default now(),
    closed_at timestamptz,
    constraint work_orders_layout_fkey foreign key (product_id, layout_version)
      references layouts (product_id, version),
    constraint work_orders_identity_key unique (id, product_id, layout_version),
    constraint work_orders_closed_check check ((status = 'closed') = (closed_at is not null)),
    constraint work_orders_report_check check (status = 'closed' or report is null)
  )`,
  `create table devices (
    id uuid primary key,
    product_id text not null constraint devices_product_fkey references products (id),
    layout_version integer not null,
    work_order_id uuid,
    serial text not null,
    state text not null default 'queued' constraint devices_state_check check (state in ${DEVICE_STATES}),
    idempotency_key text not null,
    requested_by text not null,
    request_hash bytea not null,
    chip_uid bytea constraint devices_chip_uid_check check (octet_length(chip_uid) > 0),
    station_id text constraint devices_station_fkey references stations (id),
    job_id text,
    image_data bytea not null,
    lock_blocks jsonb not null default '[]',
    secret_fields jsonb not null default '[]',
    sealed_private_key bytea,
    public_key_spki bytea,
    certificate_der bytea,
    certificate_sha256 bytea,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint devices_layout_fkey foreign key (product_id, layout_version) references layouts (product_id, version),
    constraint devices_work_order_fkey foreign key (work_order_id, product_id, layout_version)
      references work_orders (id, product_id, layout_version),
    constraint devices_product_serial_key unique (product_id, serial),
    constraint devices_idempotency_key unique (requested_by, idempotency_key),
    constraint devices_chip_uid_key unique (chip_uid),
    constraint devices_binding_check check (
      case state when 'queued' then chip_uid is null when 'scrapped' then true else chip_uid is not null end
    )
  )`,
  `create index devices_work_order_state_idx on devices (work_order_id, state)`,
  `create index devices_serial_idx on devices (serial)`,
  `create index devices_state_created_idx on devices (state, created_at)`,
  `create table device_events (
    id bigint generated always as identity primary key,
    device_id uuid not null constraint device_events_device_fkey references devices (id),
    at timestamptz not null default now(),
    from_state text constraint device_events_from_state_check check (from_state in ${DEVICE_STATES}),
    to_state text not null constraint device_events_to_state_check check (to_state in ${DEVICE_STATES}),
    reason text,
    actor text not null,
    chip_uid bytea,
    details jsonb
  )`,
  `create index device_events_device_idx on device_events (device_id, id)`,
  `create table log_leaves (
    leaf_hash bytea primary key constraint log_leaves_hash_check check (octet_length(leaf_hash) = 32),
    leaf_index bigint not null constraint log_leaves_index_key unique
      constraint log_leaves_index_check check (leaf_index >= 0)
  )`,
  `create table log_nodes (
    level smallint not null constraint log_nodes_level_check check (level >= 0 and level < 64),
    index bigint not null constraint log_nodes_index_check check (index >= 0),
    hash bytea not null constraint log_nodes_hash_check check (octet_length(hash) = 32),
    constraint log_nodes_pkey primary key (level, index)
  )`,
  `create table log_state (
    id boolean primary key default true constraint log_state_single_row_check check (id),
    tree_size bigint not null constraint log_state_tree_size_check check (tree_size >= 0)
  )`,
  `insert into log_state (id, tree_size) values (true, 0)`,
  `create table log_checkpoints (
    tree_size bigint primary key constraint log_checkpoints_tree_size_check check (tree_size >= 0),
    root_hash bytea not null constraint log_checkpoints_root_hash_check check (octet_length(root_hash) = 32),
    note text not null,
    created_at timestamptz not null default now()
  )`,
  `create table attestations (
    leaf_index bigint primary key constraint attestations_leaf_fkey references log_leaves (leaf_index),
    device_id uuid not null constraint attestations_device_key unique
      constraint attestations_device_fkey references devices (id),
    envelope text not null,
    serial text not null,
    chip_uid bytea not null,
    product_id text not null constraint attestations_product_fkey references products (id),
    work_order_id uuid constraint attestations_work_order_fkey references work_orders (id),
    station_id text not null constraint attestations_station_fkey references stations (id),
    created_at timestamptz not null default now()
  )`,
  `create index attestations_serial_idx on attestations (serial)`,
  `create index attestations_chip_uid_idx on attestations (chip_uid)`,
  `create index attestations_product_idx on attestations (product_id, created_at)`,
  `create index attestations_work_order_idx on attestations (work_order_id)`,
  `create index attestations_station_idx on attestations (station_id, created_at)`,
  `create index attestations_created_idx on attestations (created_at)`,
];

const APPEND_ONLY_TABLES = ['layouts', 'device_events', 'log_leaves', 'log_nodes', 'log_checkpoints', 'attestations'];

/** 0001: every table of docs/api.md, with its constraints and append-only guards. */
export const initialMigration: SqlMigration = {
  statements: [...TABLES, APPEND_ONLY_FUNCTION, ...APPEND_ONLY_TABLES.map(appendOnly)],
};
