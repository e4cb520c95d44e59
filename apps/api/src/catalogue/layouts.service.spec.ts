import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { layoutDigest, parseLayout } from '#ingrain/otp';
import { LayoutRepository, type LayoutRecord } from '../repositories/layout-repository.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { automock, type Automocked, callsOf, resolves } from '../testing/automock.js';
import { layoutRecord, PRODUCT_ID, productRecord } from '../testing/fixtures.js';
import { mockTransactions, type MockRepositories } from '../testing/transactions.js';
import { toLayoutDocument } from './layout-document.js';
import { LayoutsService } from './layouts.service.js';

const source = (version: number) =>
  `name: unit\nversion: ${version}\nfamily: stm32f4\nfields:\n  - { name: label, block: 0, offset: 0, type: ascii, length: 8, source: input }\nlock: [0]\n`;

function storedRecord(version: number): LayoutRecord {
  const layout = parseLayout(source(version));
  return layoutRecord({
    version,
    sourceText: source(version),
    definition: toLayoutDocument(layout) as LayoutRecord['definition'],
    digest: layoutDigest(layout),
  });
}

describe('LayoutsService', () => {
  let tx: MockRepositories;
  let products: Automocked<ProductRepository>;
  let layouts: Automocked<LayoutRepository>;
  let service: LayoutsService;

  beforeEach(() => {
    const transactions = mockTransactions();
    tx = transactions.tx;
    products = automock(ProductRepository);
    layouts = automock(LayoutRepository);
    service = new LayoutsService(transactions.transactions, products, layouts);
  });

  describe('add', () => {
    test("stores the product's next version with its digest, in a transaction", async () => {
      resolves(products, 'get', productRecord({ latestLayoutVersion: 1 }));
      resolves(tx.layouts, 'add', storedRecord(2));
      const view = await service.add(PRODUCT_ID, { source: source(2) });
      const [[productId, stored]] = callsOf(tx.layouts, 'add') as [Parameters<LayoutRepository['add']>];
      assert.deepEqual([productId, stored.digest, stored.family], [PRODUCT_ID, storedRecord(2).digest, 'stm32f4']);
      assert.equal(view.version, 2);
    });

    test('an unknown product: PRODUCT_NOT_FOUND (also when it vanished before the insert)', async () => {
      resolves(products, 'get', undefined);
      await assert.rejects(service.add('x', { source: source(1) }), { code: 'PRODUCT_NOT_FOUND' });
      resolves(products, 'get', productRecord({ latestLayoutVersion: 0 }));
      resolves(tx.layouts, 'add', undefined);
      await assert.rejects(service.add(PRODUCT_ID, { source: source(1) }), { code: 'PRODUCT_NOT_FOUND' });
    });

    test('the wrong version, or another version added concurrently: LAYOUT_VERSION_CONFLICT', async () => {
      resolves(products, 'get', productRecord({ latestLayoutVersion: 1 }));
      await assert.rejects(service.add(PRODUCT_ID, { source: source(3) }), {
        code: 'LAYOUT_VERSION_CONFLICT',
      });
      assert.equal(callsOf(tx.layouts, 'add').length, 0);
      resolves(tx.layouts, 'add', storedRecord(3));
      await assert.rejects(service.add(PRODUCT_ID, { source: source(2) }), {
        code: 'LAYOUT_VERSION_CONFLICT',
      });
    });

    test('an invalid layout: LAYOUT_INVALID, nothing stored', async () => {
      resolves(products, 'get', productRecord());
      await assert.rejects(service.add(PRODUCT_ID, { source: 'name: x\n' }), { code: 'LAYOUT_INVALID' });
      assert.equal(callsOf(tx.layouts, 'add').length, 0);
    });
  });

  test('get and render: LAYOUT_NOT_FOUND for an unknown version', async () => {
    resolves(layouts, 'get', undefined);
    await assert.rejects(service.get(PRODUCT_ID, 9), { code: 'LAYOUT_NOT_FOUND' });
    await assert.rejects(service.render(PRODUCT_ID, 9, { values: {} }), { code: 'LAYOUT_NOT_FOUND' });
  });

  test('render: a dry run over the stored layout', async () => {
    resolves(layouts, 'get', storedRecord(1));
    const rendered = await service.render(PRODUCT_ID, 1, { values: { label: 'AB' } });
    assert.deepEqual([rendered.layoutVersion, rendered.family, rendered.dataHex.slice(0, 4)], [1, 'stm32f4', '4142']);
    assert.deepEqual(callsOf(layouts, 'get'), [[PRODUCT_ID, 1]]);
  });
});
