import { sql } from 'kysely';
import type { Executor } from '../database/executor.js';

/** An event for the outbox: its stable id, type, ordering key, and its body given its sequence. */
export interface OutboxEvent {
  /** The event's id (uuid): the `webhook-id` of every delivery and replay, for de-duplication. */
  readonly id: string;
  readonly type: string;
  /** Events with one key (`device:<id>`, `work-order:<id>`) are numbered and delivered in order. */
  readonly orderingKey: string;
  /** The exact body delivered, given the event's sequence number under its key (1, 2, …). */
  readonly render: (sequence: number) => string;
  /**
   * The body around its sequence number, when it is exactly `before + String(sequence) + after`
   * (render then must agree): lets the outbox number, insert and fan out the event in one
   * statement. Without it, `append` takes three (read the last sequence, insert, fan out).
   */
  readonly bodyAround?: { readonly before: string; readonly after: string };
}

/**
 * The transactional outbox of webhook events (docs/webhooks.md): `append` runs in the transaction
 * of the state change the event reports, so the event commits with it or not at all. It numbers
 * the event under its ordering key (the caller holds the row lock of the device or work order the
 * key names; the unique (ordering_key, sequence) is the backstop) and queues one delivery per
 * subscription of its type (a disabled one's wait until it is enabled again: a pause loses nothing).
 */
export class WebhookOutbox {
  constructor(private readonly db: Executor) {}

  async append(event: OutboxEvent): Promise<{ sequence: number; deliveries: number }> {
    if (event.bodyAround !== undefined) return this.#appendInOneStatement(event, event.bodyAround);
    const last = await this.db
      .selectFrom('webhook_events')
      .select((eb) => eb.fn.max('sequence').as('sequence'))
      .where('ordering_key', '=', event.orderingKey)
      .executeTakeFirst();
    const sequence = (last?.sequence ?? 0) + 1;
    await this.db
      .insertInto('webhook_events')
      .values({
        id: event.id,
        type: event.type,
        ordering_key: event.orderingKey,
        sequence,
        body: event.render(sequence),
      })
      .execute();
    const fanned = await this.db
      .insertInto('webhook_deliveries')
      .columns(['id', 'subscription_id', 'event_id', 'ordering_key', 'sequence'])
      .expression((eb) =>
        eb
          .selectFrom('webhook_subscriptions')
          .select([
            sql<string>`gen_random_uuid()`.as('id'),
            'id as subscription_id',
            sql<string>`${event.id}::uuid`.as('event_id'),
            sql<string>`${event.orderingKey}::text`.as('ordering_key'),
            sql<number>`${sequence}::integer`.as('sequence'),
          ])
          .where(sql<boolean>`event_types @> jsonb_build_array(${event.type}::text)`),
      )
      .executeTakeFirst();
    return { sequence, deliveries: Number(fanned.numInsertedOrUpdatedRows ?? 0n) };
  }

  /**
   * The same three steps as one statement: the next sequence under the key, the event with its body
   * rendered around it, one delivery per subscription of the type. Two writers that read the same
   * last sequence still cannot both commit it: the unique (ordering_key, sequence) refuses the second.
   */
  async #appendInOneStatement(
    event: OutboxEvent,
    body: NonNullable<OutboxEvent['bodyAround']>,
  ): Promise<{ sequence: number; deliveries: number }> {
    const { rows } = await sql<{ sequence: number; deliveries: number }>`
      with next as (
        select coalesce(max(sequence), 0) + 1 as sequence from webhook_events where ordering_key = ${event.orderingKey}
      ),
      event as (
        insert into webhook_events (id, type, ordering_key, sequence, body)
        select ${event.id}::uuid, ${event.type}, ${event.orderingKey}, next.sequence,
          ${body.before}::text || next.sequence::text || ${body.after}::text
        from next
        returning id, sequence
      ),
      fanned as (
        insert into webhook_deliveries (id, subscription_id, event_id, ordering_key, sequence)
        select gen_random_uuid(), s.id, event.id, ${event.orderingKey}, event.sequence
        from webhook_subscriptions s, event
        where s.event_types @> jsonb_build_array(${event.type}::text)
        returning id
      )
      select (select sequence from event) as sequence, (select count(*) from fanned)::integer as deliveries
    `.execute(this.db);
    const [row] = rows;
    if (row === undefined) throw new TypeError('the webhook event insert returned no row');
    return row;
  }
}
