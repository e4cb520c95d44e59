import assert from 'node:assert/strict';
import { beforeEach, describe, mock, test } from 'node:test';
import { SoftwareSignerForTests } from '#ingrain/crypto/testing';
import type { JsonValue } from '../database/json.js';
import { LayoutRepository } from '../repositories/layout-repository.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { WorkOrderRepository, type WorkOrderCounts } from '../repositories/work-order-repository.js';
import { automock, type Automocked, callsOf, resolves, stub } from '../testing/automock.js';
import { layoutRecord, PRODUCT_ID, productRecord, WORK_ORDER_ID, workOrderRecord } from '../testing/fixtures.js';
import { mockTransactions, type MockRepositories } from '../testing/transactions.js';
import { TrustService } from '../trust/trust.service.js';
import { WorkOrdersService } from './work-orders.service.js';

const signer = new SoftwareSignerForTests('ingrain-attestation');
const counts: WorkOrderCounts = {
  planned: 2,
  issued: 0,
  queued: 0,
  claimed: 0,
  provisioned: 0,
  failed: 0,
  quarantined: 0,
  scrapped: 0,
};

describe('WorkOrdersService', () => {
  let tx: MockRepositories;
  let products: Automocked<ProductRepository>;
  let layouts: Automocked<LayoutRepository>;
  let workOrders: Automocked<WorkOrderRepository>;
  let service: WorkOrdersService;

  beforeEach(() => {
    const transactions = mockTransactions();
    tx = transactions.tx;
    products = automock(ProductRepository);
    layouts = automock(LayoutRepository);
    workOrders = automock(WorkOrderRepository);
    const trust = automock(TrustService, { attestationSigner: signer });
    service = new WorkOrdersService(transactions.transactions, products, layouts, workOrders, trust);
  });

  describe('create', () => {
    test("opens a work order at the product's latest layout by default", async () => {
      resolves(products, 'get', productRecord({ latestLayoutVersion: 3 }));
      resolves(layouts, 'get', layoutRecord({ version: 3 }));
      resolves(workOrders, 'create', workOrderRecord({ layoutVersion: 3 }));
      const view = await service.create({ productId: PRODUCT_ID, quantity: 2 });
      assert.deepEqual(callsOf(workOrders, 'create'), [[{ productId: PRODUCT_ID, layoutVersion: 3, quantity: 2 }]]);
      assert.deepEqual([view.status, view.counts.planned, view.reportEnvelope], ['open', 2, null]);
    });

    test('refusals: PRODUCT_NOT_FOUND, PRODUCT_HAS_NO_LAYOUT, LAYOUT_NOT_FOUND; nothing created', async () => {
      resolves(products, 'get', undefined);
      await assert.rejects(service.create({ productId: 'x', quantity: 1 }), { code: 'PRODUCT_NOT_FOUND' });
      resolves(products, 'get', productRecord({ latestLayoutVersion: 0 }));
      await assert.rejects(service.create({ productId: PRODUCT_ID, quantity: 1 }), { code: 'PRODUCT_HAS_NO_LAYOUT' });
      resolves(products, 'get', productRecord());
      resolves(layouts, 'get', undefined);
      await assert.rejects(service.create({ productId: PRODUCT_ID, layoutVersion: 9, quantity: 1 }), {
        code: 'LAYOUT_NOT_FOUND',
      });
      assert.equal(callsOf(workOrders, 'create').length, 0);
    });
  });

  test('get: WORK_ORDER_NOT_FOUND for an unknown id', async () => {
    resolves(workOrders, 'get', undefined);
    resolves(workOrders, 'counts', undefined);
    await assert.rejects(service.get(WORK_ORDER_ID), { code: 'WORK_ORDER_NOT_FOUND' });
  });

  describe('list', () => {
    const CREATED_KEY = '2026-12-06T10:00:00.123456Z';
    const listed = (id: string) => ({ record: workOrderRecord({ id }), key: { createdAt: CREATED_KEY, id } });
    const ID_A = '00000000-0000-4000-8000-00000000000a';
    const ID_B = '00000000-0000-4000-8000-00000000000b';

    test('reads limit + 1 rows, answers limit with counts and a cursor after the last one', async () => {
      resolves(workOrders, 'list', [listed(ID_A), listed(ID_B)]);
      resolves(workOrders, 'countsOf', new Map([[ID_A, { ...counts, queued: 1 }]]));
      const page = await service.list({ status: 'open', limit: 1 });
      assert.deepEqual(callsOf(workOrders, 'list'), [[{ status: 'open' }, { limit: 2, after: undefined }]]);
      assert.deepEqual(
        page.workOrders.map((order) => [order.id, order.counts.queued]),
        [[ID_A, 1]],
      );
      assert.notEqual(page.nextCursor, null);

      resolves(workOrders, 'list', [listed(ID_B)]);
      resolves(workOrders, 'countsOf', new Map());
      const next = await service.list({ status: 'open', limit: 1, cursor: page.nextCursor ?? '' });
      assert.deepEqual(callsOf(workOrders, 'list')[1], [
        { status: 'open' },
        { limit: 2, after: { createdAt: CREATED_KEY, id: ID_A } },
      ]);
      assert.deepEqual([next.workOrders.length, next.nextCursor], [1, null]);
    });

    test('a foreign or malformed cursor: CURSOR_INVALID, nothing read', async () => {
      const foreign = Buffer.from(JSON.stringify({ l: 'devices', k: [CREATED_KEY, ID_A] })).toString('base64url');
      await assert.rejects(service.list({ limit: 5, cursor: foreign }), { code: 'CURSOR_INVALID' });
      await assert.rejects(service.list({ limit: 5, cursor: 'abc' }), { code: 'CURSOR_INVALID' });
      assert.equal(callsOf(workOrders, 'list').length, 0);
    });
  });

  describe('close', () => {
    test('an unknown work order: WORK_ORDER_NOT_FOUND', async () => {
      resolves(tx.workOrders, 'get', undefined);
      await assert.rejects(service.close(WORK_ORDER_ID, 'token-mes'), { code: 'WORK_ORDER_NOT_FOUND' });
    });

    test('the first close signs a report under the row lock; a later close returns the same report', async () => {
      const open = workOrderRecord();
      resolves(tx.workOrders, 'get', open);
      resolves(tx.layouts, 'get', layoutRecord());
      resolves(tx.workOrderDevices, 'list', []);
      resolves(tx.log, 'readLatestCheckpoint', undefined);
      stub(tx.workOrders, 'close', (id: string, report: JsonValue) =>
        Promise.resolve(workOrderRecord({ id, status: 'closed', report, closedAt: new Date() })),
      );
      resolves(tx.workOrders, 'counts', counts);

      const first = await service.close(WORK_ORDER_ID, 'token-mes');

      assert.deepEqual(callsOf(tx.workOrders, 'get'), [[WORK_ORDER_ID, { forUpdate: true }]]);
      assert.equal(first.workOrder.status, 'closed');
      assert.equal(first.report.closedBy, 'token-mes');
      assert.equal(first.report.log, null, 'an empty log anchors nothing');
      const stored = callsOf(tx.workOrders, 'close')[0]?.[1];

      const again = mockTransactions();
      resolves(again.tx.workOrders, 'get', workOrderRecord({ status: 'closed', report: stored ?? null }));
      resolves(again.tx.workOrders, 'counts', counts);
      const trust = automock(TrustService, { attestationSigner: signer });
      const later = new WorkOrdersService(again.transactions, products, layouts, workOrders, trust);
      const second = await later.close(WORK_ORDER_ID, 'someone-else');
      assert.deepEqual(second.envelope, first.envelope);
      assert.equal(callsOf(again.tx.workOrders, 'close').length, 0, 'no second report');
    });

    test('a missing layout stops the close before anything is signed', async () => {
      const sign = mock.method(signer, 'sign');
      resolves(tx.workOrders, 'get', workOrderRecord());
      resolves(tx.layouts, 'get', undefined);
      await assert.rejects(service.close(WORK_ORDER_ID, 'token-mes'), /missing layout/);
      assert.equal(sign.mock.callCount(), 0);
      sign.mock.restore();
    });
  });
});
