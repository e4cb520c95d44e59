// Lists and paging (issue 12, item 3) against the real API, shared by the PGlite and the PostgreSQL
// test files: GET /v1/work-orders (filters, newest first, counts as GET /v1/work-orders/{id} gives
// them, every role), cursor paging that neither repeats nor skips, and CURSOR_INVALID naming
// query.cursor for a malformed or foreign cursor.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Response } from 'supertest';
import { seedCatalogRows, type SeededCatalog } from '../../testkit/catalog-rows.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';

interface WorkOrder {
  id: string;
  productId: string;
  status: 'open' | 'closed';
  createdAt: string;
  counts: Record<string, number>;
}
interface WorkOrderPage {
  workOrders: WorkOrder[];
  nextCursor: string | null;
}

function assertProblem(response: Response, status: number, code: string, path?: string): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  const body = response.body as { code: string; errors: { path: string }[] };
  assert.equal(body.code, code, JSON.stringify(body));
  if (path !== undefined)
    assert.ok(
      body.errors.some((issue) => issue.path === path),
      JSON.stringify(body.errors),
    );
}

/** Registers the list scenarios on a fresh API of the given database kind. */
export function describeLists(databaseKind: 'pglite' | 'postgres'): void {
  let api: TestApi;
  let first: SeededCatalog;
  let second: SeededCatalog;
  const tokens: Record<'mes' | 'admin' | 'auditor' | 'station', string> = {
    mes: '',
    admin: '',
    auditor: '',
    station: '',
  };
  /** Every work order made here, in creation order. */
  const made: string[] = [];

  const get = (path: string, token = tokens.mes) => api.http().get(path).set('authorization', `Bearer ${token}`);
  const post = (path: string, body: object, token = tokens.mes) =>
    api.http().post(path).set('authorization', `Bearer ${token}`).set('Idempotency-Key', randomUUID()).send(body);

  async function allPages(query: string, limit: number, token = tokens.mes): Promise<WorkOrder[][]> {
    const pages: WorkOrder[][] = [];
    let cursor: string | null = null;
    do {
      const suffix: string = cursor === null ? '' : `&cursor=${cursor}`;
      const response = await get(`/v1/work-orders?limit=${limit}${query}${suffix}`, token);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const page = response.body as WorkOrderPage;
      pages.push(page.workOrders);
      cursor = page.nextCursor;
      assert.ok(pages.length < 100, 'paging ends');
    } while (cursor !== null);
    return pages;
  }

  before(async () => {
    api = await startTestApi({ databaseKind, env: { INGRAIN_AUTH_FAILURE_LIMIT: '100000' } });
    first = await seedCatalogRows(api.database.kysely, { quantity: 3 });
    second = await seedCatalogRows(api.database.kysely, { quantity: 4 });
    made.push(first.workOrderId, second.workOrderId);
    tokens.admin = api.adminToken;
    tokens.mes = await api.createToken('mes');
    tokens.auditor = await api.createToken('auditor');
    tokens.station = await api.createToken('station', 'station', first.stationId);
    for (const catalog of [first, second, first, second, first]) {
      const response = await post('/v1/work-orders', { productId: catalog.productId, quantity: 2 });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      made.push((response.body as WorkOrder).id);
    }
    for (const catalog of [first, second, second]) {
      const device = await post('/v1/devices', { workOrderId: catalog.workOrderId, inputs: catalog.inputs });
      assert.equal(device.status, 202, JSON.stringify(device.body));
    }
    const closed = await post(`/v1/work-orders/${made[3] ?? ''}/close`, {});
    assert.equal(closed.status, 200, JSON.stringify(closed.body));
  });

  after(() => api?.close());

  /** Walks a list page by page with `limit`; returns the pages (each page's items). */
  async function walk(path: string, member: string, limit: number, token: string): Promise<{ id: string }[][]> {
    const pages: { id: string }[][] = [];
    let cursor: string | null = null;
    const join = path.includes('?') ? '&' : '?';
    do {
      const suffix: string = cursor === null ? '' : `&cursor=${cursor}`;
      const response = await get(`${path}${join}limit=${limit}${suffix}`, token);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const body = response.body as Record<string, unknown>;
      pages.push(body[member] as { id: string }[]);
      cursor = body['nextCursor'] as string | null;
      assert.ok(pages.length < 100, 'paging ends');
    } while (cursor !== null);
    return pages;
  }

  test(`POST /v1/devices: a replayed answer carries Idempotent-Replayed: true, a new one does not (${databaseKind})`, async () => {
    const key = randomUUID();
    const send = () =>
      api
        .http()
        .post('/v1/devices')
        .set('authorization', `Bearer ${tokens.mes}`)
        .set('Idempotency-Key', key)
        .send({ workOrderId: second.workOrderId, inputs: second.inputs });
    const created = await send();
    assert.equal(created.status, 202, JSON.stringify(created.body));
    assert.equal(created.headers['idempotent-replayed'], undefined);
    const replayed = await send();
    assert.equal(replayed.status, 202, JSON.stringify(replayed.body));
    assert.equal(replayed.headers['idempotent-replayed'], 'true');
    assert.equal((replayed.body as { id: string }).id, (created.body as { id: string }).id);
  });

  describe(`cursor paging on every list (${databaseKind})`, () => {
    const LISTS = [
      { path: '/v1/products', member: 'products', role: 'admin' },
      { path: '/v1/stations', member: 'stations', role: 'admin' },
      { path: '/v1/tokens', member: 'tokens', role: 'admin' },
      { path: '/v1/devices', member: 'devices', role: 'mes' },
    ] as const;

    for (const { path, member, role } of LISTS) {
      test(`${path}: pages of 1 give the whole list once, in order; a cursor of another list is refused`, async () => {
        const whole = await get(`${path}?limit=500`, tokens[role]);
        assert.equal(whole.status, 200, JSON.stringify(whole.body));
        const all = (whole.body as Record<string, { id: string }[]>)[member] ?? [];
        assert.ok(all.length >= 2, `${path} has at least two items`);
        assert.equal((whole.body as { nextCursor: unknown }).nextCursor, null);
        const pages = await walk(path, member, 1, tokens[role]);
        assert.ok(pages.slice(0, -1).every((page) => page.length === 1));
        assert.deepEqual(
          pages.flat().map((item) => item.id),
          all.map((item) => item.id),
        );
        const foreign = Buffer.from(JSON.stringify({ l: 'elsewhere', k: ['x'] })).toString('base64url');
        assertProblem(await get(`${path}?cursor=${foreign}`, tokens[role]), 400, 'CURSOR_INVALID', 'query.cursor');
      });
    }

    test('/v1/devices: the deprecated offset still pages; offset with a cursor is refused naming query.offset', async () => {
      const all = ((await get('/v1/devices?limit=500')).body as { devices: { id: string }[] }).devices;
      const second_ = (await get('/v1/devices?limit=1&offset=1')).body as {
        devices: { id: string }[];
        offset: number;
        nextCursor: string;
      };
      assert.deepEqual([second_.devices[0]?.id, second_.offset], [all[1]?.id, 1]);
      // The cursor an offset page gives continues after its last item.
      const third = (await get(`/v1/devices?limit=1&cursor=${second_.nextCursor}`)).body as {
        devices: { id: string }[];
      };
      assert.equal(third.devices[0]?.id, all[2]?.id);
      assertProblem(
        await get(`/v1/devices?offset=1&cursor=${second_.nextCursor}`),
        400,
        'VALIDATION_FAILED',
        'query.offset',
      );
    });
  });

  describe(`GET /v1/work-orders (${databaseKind})`, () => {
    test('pages of 2 cover every work order once, newest first, each as GET /v1/work-orders/{id} answers it', async () => {
      const pages = await allPages('', 2);
      assert.deepEqual(
        pages.map((page) => page.length),
        [2, 2, 2, 1],
      );
      const listed = pages.flat();
      assert.deepEqual(
        listed.map((order) => order.id),
        [...made].reverse(),
      );
      for (const order of listed) {
        const one = await get(`/v1/work-orders/${order.id}`);
        assert.deepEqual(order, one.body);
      }
      const withDevice = listed.find((order) => order.id === first.workOrderId);
      assert.deepEqual([withDevice?.counts['issued'], withDevice?.counts['queued']], [1, 1]);
    });

    test('filters: status, productId, from/to; combined with paging', async () => {
      const closed = (await allPages('&status=closed', 5)).flat();
      assert.deepEqual(
        closed.map((order) => order.id),
        [made[3]],
      );
      const open = (await allPages('&status=open', 1)).flat();
      assert.equal(open.length, made.length - 1);
      assert.ok(open.every((order) => order.status === 'open'));
      const ofFirst = (await allPages(`&productId=${first.productId}`, 1)).flat();
      assert.deepEqual(
        ofFirst.map((order) => order.id),
        [made[6], made[4], made[2], made[0]],
      );
      const all = (await allPages('', 10)).flat();
      const pivot = all[3];
      assert.ok(pivot !== undefined);
      const from = encodeURIComponent(pivot.createdAt);
      const since = (await allPages(`&from=${from}`, 10)).flat();
      assert.ok(since.length >= 1 && since.every((order) => order.createdAt >= pivot.createdAt));
      const before = (await allPages(`&to=${from}`, 10)).flat();
      assert.ok(before.every((order) => order.createdAt < pivot.createdAt));
      assert.equal(since.length + before.length, all.length);
      const none = await get(`/v1/work-orders?productId=no-such-product`);
      assert.deepEqual(none.body, { workOrders: [], nextCursor: null });
    });

    test('roles: mes, admin and auditor read; a station is refused; no token is 401', async () => {
      for (const token of [tokens.mes, tokens.admin, tokens.auditor]) {
        assert.equal((await get('/v1/work-orders?limit=1', token)).status, 200);
      }
      assertProblem(await get('/v1/work-orders', tokens.station), 403, 'ROLE_FORBIDDEN');
      assertProblem(await api.http().get('/v1/work-orders'), 401, 'AUTH_REQUIRED');
    });

    test('a malformed or foreign cursor is CURSOR_INVALID naming query.cursor; bad filters name theirs', async () => {
      const foreign = Buffer.from(JSON.stringify({ l: 'devices', k: ['2026-01-01T00:00:00.000000Z', randomUUID()] }));
      for (const cursor of ['bm9wZQ', foreign.toString('base64url')]) {
        assertProblem(await get(`/v1/work-orders?cursor=${cursor}`), 400, 'CURSOR_INVALID', 'query.cursor');
      }
      assertProblem(await get('/v1/work-orders?cursor=a%20b'), 400, 'VALIDATION_FAILED', 'query.cursor');
      assertProblem(await get('/v1/work-orders?status=done'), 400, 'VALIDATION_FAILED', 'query.status');
      assertProblem(await get('/v1/work-orders?limit=0'), 400, 'VALIDATION_FAILED', 'query.limit');
      assertProblem(
        await get('/v1/work-orders?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z'),
        400,
        'VALIDATION_FAILED',
        'query.to',
      );
    });
  });
}
