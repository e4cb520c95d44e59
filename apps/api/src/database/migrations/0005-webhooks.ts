// Webhooks (docs/webhooks.md): subscriptions, the transactional outbox of events, one delivery per
// (subscription, event) and the log of every attempt. An event row is inserted in the transaction
// of the state change it reports, with its deliveries to the subscriptions enabled for its type.
import type { SqlMigration } from './sql-migration.js';

export const webhooksMigration: SqlMigration = {
  statements: [
    `create table webhook_subscriptions (
      id uuid primary key,
      position bigint generated always as identity unique,
      url text not null constraint webhook_subscriptions_url_check check (length(url) between 1 and 2048),
      event_types jsonb not null constraint webhook_subscriptions_event_types_check
        check (jsonb_typeof(event_types) = 'array' and jsonb_array_length(event_types) > 0),
      secret bytea not null constraint webhook_subscriptions_secret_check check (octet_length(secret) between 24 and 64),
      enabled boolean not null default true,
      created_by text not null,
      created_at timestamptz not null default now(),
      secret_rotated_at timestamptz
    )`,
    `create table webhook_events (
      id uuid primary key,
      position bigint generated always as identity unique,
      type text not null,
      ordering_key text not null,
      sequence integer not null constraint webhook_events_sequence_check check (sequence > 0),
      body text not null,
      created_at timestamptz not null default now(),
      constraint webhook_events_ordering_key_sequence_key unique (ordering_key, sequence)
    )`,
    `create table webhook_deliveries (
      id uuid primary key,
      position bigint generated always as identity unique,
      subscription_id uuid not null references webhook_subscriptions (id) on delete cascade,
      event_id uuid not null references webhook_events (id),
      ordering_key text not null,
      sequence integer not null,
      status text not null default 'pending'
        constraint webhook_deliveries_status_check check (status in ('pending', 'delivered', 'dead')),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      lease_id uuid,
      lease_until timestamptz,
      last_error_class text,
      last_response_status integer,
      delivered_at timestamptz,
      created_at timestamptz not null default now(),
      constraint webhook_deliveries_subscription_event_key unique (subscription_id, event_id)
    )`,
    `create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending'`,
    `create index webhook_deliveries_order_idx on webhook_deliveries (subscription_id, ordering_key, sequence)`,
    `create table webhook_attempts (
      id bigint generated always as identity primary key,
      delivery_id uuid not null references webhook_deliveries (id) on delete cascade,
      attempt integer not null,
      started_at timestamptz not null,
      duration_ms integer not null,
      outcome text not null constraint webhook_attempts_outcome_check check (outcome in ('delivered', 'failed')),
      response_status integer,
      error_class text
    )`,
    `create index webhook_attempts_delivery_idx on webhook_attempts (delivery_id, id)`,
  ],
};
