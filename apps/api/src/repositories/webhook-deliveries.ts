import { sql } from 'kysely';
import type { Executor } from '../database/executor.js';
import { inTransaction } from '../database/executor.js';
import type { WebhookDeliveryStatus } from '../database/webhook-tables.js';
import { isUuid, newId, plainBytes } from './row-values.js';

/** A delivery a worker claimed: everything needed to send it, under its lease. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly leaseId: string;
  /** This attempt's number (1 for the first; counted when claimed, so a crash counts too). */
  readonly attempt: number;
  readonly subscriptionId: string;
  readonly url: string;
  readonly secret: Uint8Array;
  readonly eventId: string;
  readonly body: string;
}

export interface AttemptOutcome {
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly delivered: boolean;
  readonly responseStatus: number | null;
  readonly errorClass: string | null;
}

export interface WebhookAttemptRecord {
  readonly attempt: number;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly outcome: 'delivered' | 'failed';
  readonly responseStatus: number | null;
  readonly errorClass: string | null;
}

export interface WebhookDeliveryRecord {
  readonly id: string;
  readonly position: number;
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly orderingKey: string;
  readonly sequence: number;
  readonly status: WebhookDeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastErrorClass: string | null;
  readonly lastResponseStatus: number | null;
  readonly deliveredAt: Date | null;
  readonly createdAt: Date;
  readonly attemptLog: readonly WebhookAttemptRecord[];
}

interface DeliveryRow {
  id: string;
  position: number;
  subscription_id: string;
  event_id: string;
  type: string;
  ordering_key: string;
  sequence: number;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_error_class: string | null;
  last_response_status: number | null;
  delivered_at: Date | null;
  created_at: Date;
}

export interface DeliveryFilters {
  readonly status?: WebhookDeliveryStatus;
  readonly eventId?: string;
}

/**
 * webhook_deliveries and webhook_attempts: the delivery queue of the outbox and its log. Safe with
 * several API processes on one database: a claim takes due rows with FOR UPDATE SKIP LOCKED and
 * leases them; a delivery waits while an earlier event of its ordering key (for the same
 * subscription) is still pending; an outcome is recorded only under the lease it was claimed with.
 */
export class WebhookDeliveryRepository {
  constructor(private readonly db: Executor) {}

  /** Leases up to `limit` due deliveries for `leaseMs` and returns them with what to send. */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const leaseId = newId();
    const claimed = await sql<{ id: string; attempts: number }>`
      with due as (
        select d.id from webhook_deliveries d
        join webhook_subscriptions s on s.id = d.subscription_id and s.enabled
        where d.status = 'pending' and d.next_attempt_at <= now()
          and (d.lease_until is null or d.lease_until < now())
          and not exists (
            select 1 from webhook_deliveries p
            where p.subscription_id = d.subscription_id and p.ordering_key = d.ordering_key
              and p.sequence < d.sequence and p.status = 'pending')
        order by d.next_attempt_at, d.position
        limit ${limit}
        for update of d skip locked
      )
      update webhook_deliveries w
      set lease_id = ${leaseId}::uuid,
          lease_until = now() + (${leaseMs}::integer * interval '1 millisecond'),
          attempts = w.attempts + 1
      from due where w.id = due.id
      returning w.id, w.attempts`.execute(this.db);
    if (claimed.rows.length === 0) return [];
    const attempts = new Map(claimed.rows.map((row) => [row.id, row.attempts] as const));
    const rows = await this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
      .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
      .select(['d.id', 'd.position', 'd.subscription_id', 's.url', 's.secret', 'e.id as event_id', 'e.body'])
      .where('d.id', 'in', [...attempts.keys()])
      .orderBy('d.position')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      leaseId,
      attempt: attempts.get(row.id) ?? 1,
      subscriptionId: row.subscription_id,
      url: row.url,
      secret: plainBytes(row.secret),
      eventId: row.event_id,
      body: row.body,
    }));
  }

  /**
   * Logs the attempt and settles the delivery under its lease: delivered; or, failed, retried
   * after `retryDelayMs`, or dead-lettered when `deadLetter`. A lease lost meanwhile (expired and
   * claimed again) leaves the delivery to its new holder; the attempt is logged all the same.
   */
  async recordAttempt(
    claim: ClaimedDelivery,
    outcome: AttemptOutcome,
    next: { readonly retryDelayMs: number; readonly deadLetter: boolean },
  ): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      await trx
        .insertInto('webhook_attempts')
        .values({
          delivery_id: claim.id,
          attempt: claim.attempt,
          started_at: outcome.startedAt,
          duration_ms: Math.max(0, Math.round(outcome.durationMs)),
          outcome: outcome.delivered ? 'delivered' : 'failed',
          response_status: outcome.responseStatus,
          error_class: outcome.errorClass,
        })
        .execute();
      const settled = outcome.delivered
        ? { status: 'delivered' as const, delivered_at: sql<Date>`now()` }
        : next.deadLetter
          ? { status: 'dead' as const }
          : { next_attempt_at: sql<Date>`now() + (${next.retryDelayMs}::integer * interval '1 millisecond')` };
      await trx
        .updateTable('webhook_deliveries')
        .set({
          ...settled,
          lease_id: null,
          lease_until: null,
          last_error_class: outcome.errorClass,
          last_response_status: outcome.responseStatus,
        })
        .where('id', '=', claim.id)
        .where('lease_id', '=', claim.leaseId)
        .execute();
    });
  }

  /** A subscription's deliveries, newest first, before `beforePosition` (exclusive), with their attempts. */
  async list(
    subscriptionId: string,
    filters: DeliveryFilters,
    limit: number,
    beforePosition?: number,
  ): Promise<WebhookDeliveryRecord[]> {
    if (!isUuid(subscriptionId)) return [];
    if (filters.eventId !== undefined && !isUuid(filters.eventId)) return [];
    let query = this.#select().where('d.subscription_id', '=', subscriptionId);
    if (filters.status !== undefined) query = query.where('d.status', '=', filters.status);
    if (filters.eventId !== undefined) query = query.where('d.event_id', '=', filters.eventId);
    if (beforePosition !== undefined) query = query.where('d.position', '<', beforePosition);
    const rows = await query.orderBy('d.position', 'desc').limit(limit).execute();
    return this.#withAttempts(rows);
  }

  async get(subscriptionId: string, deliveryId: string): Promise<WebhookDeliveryRecord | undefined> {
    if (!isUuid(subscriptionId) || !isUuid(deliveryId)) return undefined;
    const rows = await this.#select()
      .where('d.subscription_id', '=', subscriptionId)
      .where('d.id', '=', deliveryId)
      .execute();
    return (await this.#withAttempts(rows))[0];
  }

  /**
   * Makes a delivery due now with a fresh attempt budget, whatever its status (a delivered one is
   * sent again, with the same event id). False if the subscription has no such delivery.
   */
  async replay(subscriptionId: string, deliveryId: string): Promise<boolean> {
    if (!isUuid(subscriptionId) || !isUuid(deliveryId)) return false;
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', attempts: 0, next_attempt_at: sql<Date>`now()` })
      .where('subscription_id', '=', subscriptionId)
      .where('id', '=', deliveryId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  #select() {
    return this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
      .select([
        'd.id',
        'd.position',
        'd.subscription_id',
        'd.event_id',
        'e.type',
        'd.ordering_key',
        'd.sequence',
        'd.status',
        'd.attempts',
        'd.next_attempt_at',
        'd.last_error_class',
        'd.last_response_status',
        'd.delivered_at',
        'd.created_at',
      ]);
  }

  async #withAttempts(rows: readonly DeliveryRow[]): Promise<WebhookDeliveryRecord[]> {
    if (rows.length === 0) return [];
    const attempts = await this.db
      .selectFrom('webhook_attempts')
      .select(['delivery_id', 'attempt', 'started_at', 'duration_ms', 'outcome', 'response_status', 'error_class'])
      .where(
        'delivery_id',
        'in',
        rows.map((row) => row.id),
      )
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      position: row.position,
      subscriptionId: row.subscription_id,
      eventId: row.event_id,
      eventType: row.type,
      orderingKey: row.ordering_key,
      sequence: row.sequence,
      status: row.status,
      attempts: row.attempts,
      nextAttemptAt: row.next_attempt_at,
      lastErrorClass: row.last_error_class,
      lastResponseStatus: row.last_response_status,
      deliveredAt: row.delivered_at,
      createdAt: row.created_at,
      attemptLog: attempts
        .filter((attempt) => attempt.delivery_id === row.id)
        .map((attempt) => ({
          attempt: attempt.attempt,
          startedAt: attempt.started_at,
          durationMs: attempt.duration_ms,
          outcome: attempt.outcome,
          responseStatus: attempt.response_status,
          errorClass: attempt.error_class,
        })),
    }));
  }
}
