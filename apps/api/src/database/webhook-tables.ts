import type { ColumnType, Generated } from 'kysely';

/** A timestamptz column the database fills in (default now()). */
type CreatedAt = ColumnType<Date, never, never>;

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'dead'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export interface WebhookSubscriptionsTable {
  id: string;
  position: Generated<number>;
  url: string;
  /** jsonb array of event type names. */
  event_types: ColumnType<string[], string, string>;
  /** The HMAC key (24–64 bytes): never leaves the API except in the create / rotate answer. */
  secret: Uint8Array;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_by: string;
  created_at: CreatedAt;
  secret_rotated_at: ColumnType<Date | null, never, Date | null>;
}

export interface WebhookEventsTable {
  id: string;
  position: Generated<number>;
  type: string;
  ordering_key: string;
  sequence: number;
  /** The exact bytes delivered (UTF-8 JSON), signed per attempt. */
  body: string;
  created_at: CreatedAt;
}

export interface WebhookDeliveriesTable {
  id: string;
  position: Generated<number>;
  subscription_id: string;
  event_id: string;
  ordering_key: string;
  sequence: number;
  status: ColumnType<WebhookDeliveryStatus, WebhookDeliveryStatus | undefined, WebhookDeliveryStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | undefined, Date>;
  lease_id: string | null;
  lease_until: Date | null;
  last_error_class: string | null;
  last_response_status: number | null;
  delivered_at: Date | null;
  created_at: CreatedAt;
}

export interface WebhookAttemptsTable {
  id: Generated<number>;
  delivery_id: string;
  attempt: number;
  started_at: Date;
  duration_ms: number;
  outcome: 'delivered' | 'failed';
  response_status: number | null;
  error_class: string | null;
}

/** The tables of migration 0005 (docs/webhooks.md), as Kysely sees them. */
export interface WebhookTables {
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}
