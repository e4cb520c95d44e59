// The webhook outbox and delivery queue on both real databases (PGlite and a throwaway PostgreSQL):
// an event commits with the state change it reports or not at all; it is numbered per ordering
// key and fanned out to the enabled subscriptions of its type; deliveries are claimed under a
// lease with FOR UPDATE SKIP LOCKED, a device's later event waits for its earlier one, a lost
// lease is taken over, and an outcome recorded under a stale lease changes nothing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { Database, DatabaseError } from '../../apps/api/src/database/index.js';
import {
  type ClaimedDelivery,
  DeviceRepository,
  type OutboxEvent,
  Transactions,
  WebhookDeliveryRepository,
  WebhookOutbox,
  WebhookSubscriptionRepository,
} from '../../apps/api/src/repositories/index.js';
import type { TestDatabase } from '../../testkit/database.js';
import { DATABASE_KINDS, newDeviceFor, seedProduction, useTestDatabases } from '../support/database.js';

const LEASE_MS = 60_000;

function event(type: string, orderingKey: string): OutboxEvent {
  const id = randomUUID();
  return { id, type, orderingKey, render: (sequence) => JSON.stringify({ id, type, sequence }) };
}

/** An event the outbox numbers in one statement (its body around the sequence, as the API's events give it). */
function oneStatementEvent(type: string, orderingKey: string): OutboxEvent {
  const id = randomUUID();
  const bodyAround = { before: `{"id":"${id}","type":"${type}","sequence":`, after: '}' };
  return { ...event(type, orderingKey), id, render: (sequence) => JSON.stringify({ id, type, sequence }), bodyAround };
}

const delivered = { delivered: true, responseStatus: 204, errorClass: null, durationMs: 3 } as const;
const failed = { delivered: false, responseStatus: 503, errorClass: 'http-5xx', durationMs: 3 } as const;

async function settle(
  repo: WebhookDeliveryRepository,
  claim: ClaimedDelivery,
  outcome: typeof delivered | typeof failed,
  next = { retryDelayMs: 0, deadLetter: false },
): Promise<void> {
  await repo.recordAttempt(claim, { ...outcome, startedAt: new Date() }, next);
}

const sequenceOf = (claim: ClaimedDelivery) => (JSON.parse(claim.body) as { sequence: number }).sequence;

for (const kind of DATABASE_KINDS) {
  describe(`webhook outbox on ${kind}`, () => {
    const open = useTestDatabases(kind);

    async function setUp(testDb: TestDatabase) {
      const db = testDb.database.kysely;
      const subscriptions = new WebhookSubscriptionRepository(db);
      const secret = new Uint8Array(32).fill(7);
      const all = await subscriptions.create({
        url: 'http://127.0.0.1:1/all',
        eventTypes: ['device.provisioned', 'device.quarantined', 'device.failed', 'work_order.closed'],
        secret,
        createdBy: 'admin-1',
      });
      const closedOnly = await subscriptions.create({
        url: 'http://127.0.0.1:1/closed',
        eventTypes: ['work_order.closed'],
        secret,
        createdBy: 'admin-1',
      });
      const disabled = await subscriptions.create({
        url: 'http://127.0.0.1:1/off',
        eventTypes: ['device.provisioned'],
        secret,
        createdBy: 'admin-1',
      });
      await subscriptions.setEnabled(disabled.id, false);
      return { db, subscriptions, all, closedOnly, disabled, transactions: new Transactions(testDb.database) };
    }

    test('an event commits with its state change, or not at all', async () => {
      const testDb = await open();
      const { db, transactions } = await setUp(testDb);
      const seed = await seedProduction(db);
      const { device } = await new DeviceRepository(db).create(newDeviceFor(seed));
      const scrapped = event('device.failed', `device:${device.id}`);
      await assert.rejects(
        transactions.run(async ({ devices, webhookOutbox }) => {
          assert.ok(await devices.transition(device.id, 'scrap', { actor: 'admin-1', reason: 'test' }));
          await webhookOutbox.append(scrapped);
          throw new Error('rolled back');
        }),
        /rolled back/,
      );
      assert.equal((await new DeviceRepository(db).get(device.id))?.state, 'queued');
      assert.equal((await db.selectFrom('webhook_events').selectAll().execute()).length, 0, 'no event');
      assert.equal((await db.selectFrom('webhook_deliveries').selectAll().execute()).length, 0, 'no delivery');

      await transactions.run(async ({ devices, webhookOutbox }) => {
        assert.ok(await devices.transition(device.id, 'scrap', { actor: 'admin-1', reason: 'test' }));
        assert.deepEqual(await webhookOutbox.append(scrapped), { sequence: 1, deliveries: 1 });
      });
      const rows = await db.selectFrom('webhook_events').select(['id', 'sequence', 'body']).execute();
      assert.deepEqual(rows, [{ id: scrapped.id, sequence: 1, body: scrapped.render(1) }]);
    });

    test('an event given its body around the sequence: numbered, stored and fanned out alike, in one statement', async () => {
      const testDb = await open();
      const { db, all, disabled } = await setUp(testDb);
      const outbox = new WebhookOutbox(db);
      const first = oneStatementEvent('device.provisioned', 'device:a');
      assert.deepEqual(await outbox.append(first), { sequence: 1, deliveries: 2 });
      assert.deepEqual(await outbox.append(event('device.failed', 'device:a')), { sequence: 2, deliveries: 1 });
      const third = oneStatementEvent('device.quarantined', 'device:a');
      assert.deepEqual(await outbox.append(third), { sequence: 3, deliveries: 1 });
      const closed = oneStatementEvent('work_order.closed', 'work-order:w');
      assert.deepEqual(await outbox.append(closed), { sequence: 1, deliveries: 2 });
      const rows = await db
        .selectFrom('webhook_events')
        .select(['id', 'type', 'ordering_key', 'sequence', 'body'])
        .orderBy('position')
        .execute();
      assert.deepEqual(
        rows.filter((row) => row.id !== rows[1]?.id),
        [
          { id: first.id, type: first.type, ordering_key: 'device:a', sequence: 1, body: first.render(1) },
          { id: third.id, type: third.type, ordering_key: 'device:a', sequence: 3, body: third.render(3) },
          { id: closed.id, type: closed.type, ordering_key: 'work-order:w', sequence: 1, body: closed.render(1) },
        ],
      );
      const fanned = await db
        .selectFrom('webhook_deliveries')
        .select(['subscription_id', 'event_id', 'ordering_key', 'sequence'])
        .where('event_id', '=', first.id)
        .execute();
      assert.deepEqual(
        fanned.map((row) => [row.subscription_id, row.ordering_key, row.sequence]).sort(),
        [
          [all.id, 'device:a', 1],
          [disabled.id, 'device:a', 1],
        ].sort(),
      );
      const repo = new WebhookDeliveryRepository(db);
      const claimed = await repo.claimDue(100, LEASE_MS);
      const deviceA = new Set([first.id, rows[1]?.id, third.id]);
      assert.deepEqual(
        claimed.filter((claim) => deviceA.has(claim.eventId)).map((claim) => claim.body),
        [first.render(1)],
        'the earliest event of the key first, with its stored body',
      );
    });

    if (kind === 'postgres') {
      test('two writers that read the same last sequence: the second is refused, never a shared number', async () => {
        const testDb = await open();
        const { db } = await setUp(testDb);
        const second = await Database.open(testDb.config, { migrate: false });
        try {
          let releaseFirst: () => void = () => undefined;
          const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
          let firstAppended: () => void = () => undefined;
          const appendedByFirst = new Promise<void>((resolve) => (firstAppended = resolve));
          const first = testDb.database.transaction(async (trx) => {
            const appended = await new WebhookOutbox(trx).append(oneStatementEvent('device.provisioned', 'device:x'));
            firstAppended();
            await firstHolds;
            return appended;
          });
          await appendedByFirst;
          const other = second
            .transaction((trx) => new WebhookOutbox(trx).append(oneStatementEvent('device.failed', 'device:x')))
            .then(
              (appended) => ({ appended }),
              (error: unknown) => ({ error }),
            );
          // Commit the first only once the other waits on the unique index (it read the same last sequence).
          for (;;) {
            const { rows } = await sql<{ waiting: number }>`
              select count(*)::integer as waiting from pg_locks where not granted`.execute(db);
            if ((rows[0]?.waiting ?? 0) > 0) break;
            await sleep(10);
          }
          releaseFirst();
          assert.deepEqual(await first, { sequence: 1, deliveries: 2 });
          const refused = await other;
          assert.ok(
            'error' in refused &&
              refused.error instanceof DatabaseError &&
              refused.error.constraint === 'webhook_events_ordering_key_sequence_key',
            JSON.stringify(refused),
          );
          const numbers = await db.selectFrom('webhook_events').select('sequence').execute();
          assert.deepEqual(numbers, [{ sequence: 1 }]);
        } finally {
          await second.close();
        }
      });
    }

    test('numbered per ordering key; fanned out to the subscriptions of the type; a disabled one waits', async () => {
      const testDb = await open();
      const { db, all, closedOnly, disabled, subscriptions } = await setUp(testDb);
      const outbox = new WebhookOutbox(db);
      assert.deepEqual(await outbox.append(event('device.provisioned', 'device:a')), { sequence: 1, deliveries: 2 });
      assert.deepEqual(await outbox.append(event('device.provisioned', 'device:a')), { sequence: 2, deliveries: 2 });
      assert.deepEqual(await outbox.append(event('device.provisioned', 'device:b')), { sequence: 1, deliveries: 2 });
      assert.deepEqual(await outbox.append(event('work_order.closed', 'work-order:w')), {
        sequence: 1,
        deliveries: 2,
      });
      const fanned = await db
        .selectFrom('webhook_deliveries')
        .select(['subscription_id', 'ordering_key', 'sequence'])
        .orderBy('position')
        .execute();
      const name = (id: string) =>
        id === all.id ? 'all' : id === closedOnly.id ? 'closed' : id === disabled.id ? 'off' : '?';
      assert.deepEqual(fanned.map((row) => `${name(row.subscription_id)} ${row.ordering_key} ${row.sequence}`).sort(), [
        'all device:a 1',
        'all device:a 2',
        'all device:b 1',
        'all work-order:w 1',
        'closed work-order:w 1',
        'off device:a 1',
        'off device:a 2',
        'off device:b 1',
      ]);
      // Only the enabled subscriptions' deliveries are claimed; enabling the paused one resumes it.
      const repo = new WebhookDeliveryRepository(db);
      const claimed = await repo.claimDue(100, LEASE_MS);
      assert.equal(claimed.filter((claim) => claim.subscriptionId === disabled.id).length, 0);
      await subscriptions.setEnabled(disabled.id, true);
      const resumed = await repo.claimDue(100, LEASE_MS);
      assert.deepEqual(
        resumed.map((claim) => [claim.subscriptionId === disabled.id, sequenceOf(claim)]),
        [
          [true, 1],
          [true, 1],
        ],
      );
    });

    test("a device's later event waits for its earlier one; two claimers never share a delivery", async () => {
      const testDb = await open();
      const { db } = await setUp(testDb);
      const second = kind === 'postgres' ? await Database.open(testDb.config, { migrate: false }) : undefined;
      try {
        const a = new WebhookDeliveryRepository(db);
        const b = new WebhookDeliveryRepository((second ?? testDb.database).kysely);
        const outbox = new WebhookOutbox(db);
        for (const key of ['device:a', 'device:a', 'device:a', 'device:b'])
          await outbox.append(event('device.provisioned', key));

        const [first, other] = await Promise.all([a.claimDue(10, LEASE_MS), b.claimDue(10, LEASE_MS)]);
        const claimed = [...first, ...other];
        assert.deepEqual(
          claimed.map((claim) => sequenceOf(claim)).sort(),
          [1, 1],
          'the first event of each device, once',
        );
        assert.equal(new Set(claimed.map((claim) => claim.id)).size, 2);
        assert.deepEqual(await a.claimDue(10, LEASE_MS), [], 'leased, and the later events wait');

        // A failure with a retry delay keeps the later event waiting.
        for (const claim of claimed) await settle(a, claim, failed, { retryDelayMs: 60_000, deadLetter: false });
        assert.deepEqual(await a.claimDue(10, LEASE_MS), [], 'retries are not due yet, later events wait');

        // Replay makes it due now; delivered, the next event of the device is claimable.
        for (const claim of claimed) assert.ok(await a.replay(claim.subscriptionId, claim.id));
        const again = await b.claimDue(10, LEASE_MS);
        assert.deepEqual(
          again.map((claim) => claim.attempt),
          [1, 1],
          'a replay starts a new budget',
        );
        for (const claim of again) await settle(b, claim, delivered);
        const next = await a.claimDue(10, LEASE_MS);
        assert.deepEqual(next.map(sequenceOf), [2]);

        // Dead-lettered, it no longer holds the device's events back.
        await settle(a, next[0] as ClaimedDelivery, failed, { retryDelayMs: 0, deadLetter: true });
        const last = await a.claimDue(10, LEASE_MS);
        assert.deepEqual(last.map(sequenceOf), [3]);
        const subscriptionId = last[0]?.subscriptionId ?? '';
        const log = await a.list(subscriptionId, {}, 10);
        assert.deepEqual(
          log.map((delivery) => [delivery.sequence, delivery.orderingKey, delivery.status, delivery.attemptLog.length]),
          [
            [1, 'device:b', 'delivered', 2],
            [3, 'device:a', 'pending', 0],
            [2, 'device:a', 'dead', 1],
            [1, 'device:a', 'delivered', 2],
          ],
          'newest first',
        );
      } finally {
        await second?.close();
      }
    });

    test('a lost lease is taken over; the stale holder records its attempt but settles nothing', async () => {
      const testDb = await open();
      const { db } = await setUp(testDb);
      const repo = new WebhookDeliveryRepository(db);
      await new WebhookOutbox(db).append(event('device.quarantined', 'device:c'));
      const [stale] = await repo.claimDue(10, 1);
      assert.ok(stale !== undefined);
      await sleep(20);
      const [fresh] = await repo.claimDue(10, LEASE_MS);
      assert.ok(fresh !== undefined, 'the expired lease is claimed again');
      assert.deepEqual([fresh.id, fresh.attempt, stale.attempt], [stale.id, 2, 1]);
      await settle(repo, stale, delivered);
      const [afterStale] = await repo.list(fresh.subscriptionId, {}, 10);
      assert.deepEqual([afterStale?.status, afterStale?.attemptLog.length], ['pending', 1]);
      await settle(repo, fresh, failed, { retryDelayMs: 0, deadLetter: false });
      const [settled] = await repo.list(fresh.subscriptionId, { status: 'pending' }, 10);
      assert.deepEqual(
        settled?.attemptLog.map((attempt) => [
          attempt.attempt,
          attempt.outcome,
          attempt.responseStatus,
          attempt.errorClass,
        ]),
        [
          [1, 'delivered', 204, null],
          [2, 'failed', 503, 'http-5xx'],
        ],
      );
      assert.equal(settled?.lastErrorClass, 'http-5xx');
    });
  });
}
