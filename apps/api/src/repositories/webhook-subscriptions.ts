import { sql } from 'kysely';
import type { Executor } from '../database/executor.js';
import { isUuid, newId } from './row-values.js';

/** A webhook subscription as stored, without its secret. */
export interface WebhookSubscriptionRecord {
  readonly id: string;
  readonly position: number;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly enabled: boolean;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly secretRotatedAt: Date | null;
}

export interface NewWebhookSubscription {
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly secret: Uint8Array;
  readonly createdBy: string;
}

const COLUMNS = [
  'id',
  'position',
  'url',
  'event_types',
  'enabled',
  'created_by',
  'created_at',
  'secret_rotated_at',
] as const;

interface Row {
  id: string;
  position: number;
  url: string;
  event_types: string[];
  enabled: boolean;
  created_by: string;
  created_at: Date;
  secret_rotated_at: Date | null;
}

function toRecord(row: Row): WebhookSubscriptionRecord {
  return {
    id: row.id,
    position: row.position,
    url: row.url,
    eventTypes: [...row.event_types],
    enabled: row.enabled,
    createdBy: row.created_by,
    createdAt: row.created_at,
    secretRotatedAt: row.secret_rotated_at,
  };
}

/** webhook_subscriptions: who is told about which events (the secret is read only by the delivery claim, to sign). */
export class WebhookSubscriptionRepository {
  constructor(private readonly db: Executor) {}

  async create(subscription: NewWebhookSubscription): Promise<WebhookSubscriptionRecord> {
    const row = await this.db
      .insertInto('webhook_subscriptions')
      .values({
        id: newId(),
        url: subscription.url,
        event_types: JSON.stringify(subscription.eventTypes),
        secret: subscription.secret,
        created_by: subscription.createdBy,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  async get(id: string): Promise<WebhookSubscriptionRecord | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db
      .selectFrom('webhook_subscriptions')
      .select(COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** Oldest first, after `afterPosition` (exclusive), at most `limit`. */
  async list(limit: number, afterPosition = 0): Promise<WebhookSubscriptionRecord[]> {
    const rows = await this.db
      .selectFrom('webhook_subscriptions')
      .select(COLUMNS)
      .where('position', '>', afterPosition)
      .orderBy('position')
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }

  async setEnabled(id: string, enabled: boolean): Promise<WebhookSubscriptionRecord | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db
      .updateTable('webhook_subscriptions')
      .set({ enabled })
      .where('id', '=', id)
      .returning(COLUMNS)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** Replaces the secret (the old one stops signing at once). */
  async rotateSecret(id: string, secret: Uint8Array): Promise<WebhookSubscriptionRecord | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db
      .updateTable('webhook_subscriptions')
      .set({ secret, secret_rotated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returning(COLUMNS)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** Deletes the subscription with its deliveries and their attempts; false if there was none. */
  async delete(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const result = await this.db.deleteFrom('webhook_subscriptions').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
