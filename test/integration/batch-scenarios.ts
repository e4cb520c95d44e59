// Batches (issue 12, item 2) against the real API, shared by the PGlite and the PostgreSQL test
// files: POST /v1/work-orders/{id}/devices makes each item or says why not, replays as a whole or
// item by item, and the work order's quota holds when batches race (on PostgreSQL: over two API
// instances with their own connection pools, as two processes).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type { Response } from 'supertest';
import { Database } from '../../apps/api/src/database/database.js';
import { createApp } from '../../apps/api/src/http/create-app.js';
import { JobQueue } from '../../apps/api/src/jobs/job-queue.js';
import { WorkOrderRepository } from '../../apps/api/src/repositories/index.js';
import { seedCatalogRows, type SeededCatalog } from '../../testkit/catalog-rows.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';

interface BatchResult {
  index: number;
  status: 'created' | 'replayed' | 'error';
  device: { id: string; serial: string; workOrderId: string; state: string } | null;
  error: { code: string; errors: { path: string }[] } | null;
}
interface BatchResponse {
  created: number;
  replayed: number;
  failed: number;
  results: BatchResult[];
}

/** Registers the batch scenarios on a fresh API of the given database kind. */
export function describeBatches(databaseKind: 'pglite' | 'postgres'): void {
  let api: TestApi;
  /** A second API instance on the same PostgreSQL database (PostgreSQL only). */
  let second: NestFastifyApplication | undefined;
  let secondDatabase: Database | undefined;
  let catalog: SeededCatalog;
  let mes: string;

  const on = (instance: number) =>
    instance % 2 === 1 && second !== undefined ? request(second.getHttpServer()) : api.http();
  const batch = (workOrderId: string, items: object[], key: string = randomUUID(), instance = 0): Promise<Response> =>
    on(instance)
      .post(`/v1/work-orders/${workOrderId}/devices`)
      .set('authorization', `Bearer ${mes}`)
      .set('Idempotency-Key', key)
      .send({ items });

  async function deviceCount(workOrderId: string): Promise<number> {
    const row = await api.database.kysely
      .selectFrom('devices')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('work_order_id', '=', workOrderId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  before(async () => {
    api = await startTestApi({ databaseKind, env: { INGRAIN_AUTH_FAILURE_LIMIT: '100000' } });
    if (databaseKind === 'postgres') {
      secondDatabase = await Database.open(api.databaseConfig, { migrate: false });
      second = await createApp(api.config, { database: secondDatabase, logDestination: { write: () => undefined } });
    }
    catalog = await seedCatalogRows(api.database.kysely, { quantity: 100 });
    mes = await api.createToken('mes');
  });

  after(async () => {
    await second?.close();
    await secondDatabase?.close();
    await api?.close();
  });

  describe(`POST /v1/work-orders/{id}/devices (${databaseKind})`, () => {
    test('makes every item, queued, with distinct serials; the same call again replays each (Idempotent-Replayed)', async () => {
      const key = randomUUID();
      const items = [
        { inputs: catalog.inputs },
        { inputs: catalog.inputs },
        { serial: `B-${randomUUID().slice(0, 8)}`, inputs: catalog.inputs },
      ];
      const first = await batch(catalog.workOrderId, items, key);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.headers['idempotent-replayed'], undefined);
      const made = first.body as BatchResponse;
      assert.deepEqual([made.created, made.replayed, made.failed], [3, 0, 0]);
      assert.deepEqual(
        made.results.map((r) => [r.index, r.status, r.device?.state, r.device?.workOrderId]),
        [0, 1, 2].map((i) => [i, 'created', 'queued', catalog.workOrderId]),
      );
      assert.equal(new Set(made.results.map((r) => r.device?.serial)).size, 3);
      assert.equal(made.results[2]?.device?.serial, (items[2] as { serial: string }).serial);
      // Each device's job is in its line's queue (added in bulk after the commit), with its payload.
      for (const result of made.results) {
        const job = await api.app.get(JobQueue).inspect(catalog.line, result.device?.id ?? '');
        assert.deepEqual(job, {
          state: 'waiting',
          data: { deviceId: result.device?.id, productId: catalog.productId, layoutVersion: catalog.layoutVersion },
        });
      }

      const again = await batch(catalog.workOrderId, items, key);
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal(again.headers['idempotent-replayed'], 'true');
      const replayed = again.body as BatchResponse;
      assert.deepEqual([replayed.created, replayed.replayed], [0, 3]);
      assert.deepEqual(
        replayed.results.map((r) => r.device?.id),
        made.results.map((r) => r.device?.id),
      );

      // The same key with one item changed: that item is refused, the others replay; nothing new.
      const changed = await batch(
        catalog.workOrderId,
        [items[0] ?? {}, { serial: 'OTHER-1', inputs: catalog.inputs }],
        key,
      );
      const answer = changed.body as BatchResponse;
      assert.equal(changed.headers['idempotent-replayed'], undefined);
      assert.deepEqual(
        answer.results.map((r) => [r.status, r.error?.code ?? null]),
        [
          ['replayed', null],
          ['error', 'IDEMPOTENCY_KEY_REUSED'],
        ],
      );
    });

    test('an item that cannot be made gets its code and field (body.items[i]…); the others are made', async () => {
      const before = await deviceCount(catalog.workOrderId);
      const response = await batch(catalog.workOrderId, [
        { inputs: catalog.inputs },
        { inputs: { ...catalog.inputs, pubkey_hash: 'ab' } },
        { inputs: { ...catalog.inputs, offset_mv: 'not a number' } },
        { inputs: catalog.inputs },
      ]);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const body = response.body as BatchResponse;
      assert.deepEqual([body.created, body.failed], [2, 2]);
      assert.deepEqual(
        body.results.map((r) => [r.status, r.error?.code ?? null]),
        [
          ['created', null],
          ['error', 'IDENTITY_INPUT_INVALID'],
          ['error', 'VALUES_INVALID'],
          ['created', null],
        ],
      );
      assert.ok(body.results[1]?.error?.errors.some((e) => e.path === 'body.items[1].inputs.pubkey_hash'));
      assert.ok(body.results[2]?.error?.errors.some((e) => e.path === 'body.items[2].inputs.offset_mv'));
      assert.equal(await deviceCount(catalog.workOrderId), before + 2);
    });

    test('racing batches never pass the quota: 3 × 6 items for a work order of 10 make exactly 10', async () => {
      const order = await seedCatalogRows(api.database.kysely, { quantity: 10 });
      const items = Array.from({ length: 6 }, () => ({ inputs: order.inputs }));
      const responses = await Promise.all([0, 1, 2].map((i) => batch(order.workOrderId, items, randomUUID(), i)));
      const bodies = responses.map((r) => {
        assert.equal(r.status, 200, JSON.stringify(r.body));
        return r.body as BatchResponse;
      });
      const created = bodies.reduce((sum, b) => sum + b.created, 0);
      const exhausted = bodies.flatMap((b) => b.results).filter((r) => r.error?.code === 'WORK_ORDER_EXHAUSTED');
      assert.deepEqual([created, exhausted.length], [10, 8]);
      assert.equal(await deviceCount(order.workOrderId), 10);
      const stored = await new WorkOrderRepository(api.database.kysely).get(order.workOrderId);
      assert.equal(stored?.issued, 10);
      // A single request and a batch now both find it used up.
      const single = await batch(order.workOrderId, [{ inputs: order.inputs }]);
      assert.equal((single.body as BatchResponse).results[0]?.error?.code, 'WORK_ORDER_EXHAUSTED');
    });

    test('more than 1000 items, or none: VALIDATION_FAILED naming body.items, nothing made', async () => {
      const before = await deviceCount(catalog.workOrderId);
      for (const items of [Array.from({ length: 1001 }, () => ({})), []]) {
        const response = await batch(catalog.workOrderId, items);
        assert.equal(response.status, 400, JSON.stringify(response.body).slice(0, 300));
        const body = response.body as { code: string; errors: { path: string }[] };
        assert.equal(body.code, 'VALIDATION_FAILED');
        assert.ok(
          body.errors.some((e) => e.path === 'body.items'),
          JSON.stringify(body.errors),
        );
      }
      assert.equal(await deviceCount(catalog.workOrderId), before);
      const unknown = await batch(randomUUID(), [{ inputs: catalog.inputs }]);
      assert.equal((unknown.body as { code: string }).code, 'WORK_ORDER_NOT_FOUND');
    });
  });
}
