import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { CONSTRAINTS } from '../database/constraints.js';
import { DatabaseError } from '../database/errors.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { automock, type Automocked, callsOf, resolves, stub } from '../testing/automock.js';
import { PRODUCT_ID, productRecord } from '../testing/fixtures.js';
import { ProductsService } from './products.service.js';

const request = { id: PRODUCT_ID, name: 'Sensor node', line: 'line-a' };

describe('ProductsService', () => {
  let products: Automocked<ProductRepository>;
  let service: ProductsService;

  beforeEach(() => {
    products = automock(ProductRepository);
    service = new ProductsService(products);
  });

  test('create stores the product and shows it', async () => {
    resolves(products, 'create', productRecord());
    const view = await service.create(request);
    assert.deepEqual(callsOf(products, 'create'), [[request]]);
    assert.deepEqual([view.id, view.line, view.latestLayoutVersion], [PRODUCT_ID, 'line-a', 1]);
  });

  test('a taken id: PRODUCT_EXISTS; any other database error passes through', async () => {
    const taken = new DatabaseError('UNIQUE_VIOLATION', 'taken', { constraint: CONSTRAINTS.productPrimaryKey });
    stub(products, 'create', () => Promise.reject(taken));
    await assert.rejects(service.create(request), { code: 'PRODUCT_EXISTS' });
    const down = new DatabaseError('CONNECTION_FAILED', 'down');
    stub(products, 'create', () => Promise.reject(down));
    await assert.rejects(service.create(request), { code: 'CONNECTION_FAILED' });
  });

  test('get: PRODUCT_NOT_FOUND for an unknown id', async () => {
    resolves(products, 'get', undefined);
    await assert.rejects(service.get('nope'), { code: 'PRODUCT_NOT_FOUND' });
    resolves(products, 'get', productRecord());
    assert.equal((await service.get(PRODUCT_ID)).id, PRODUCT_ID);
  });

  test('list shows every product', async () => {
    resolves(products, 'list', [productRecord(), productRecord({ id: 'other' })]);
    assert.deepEqual(
      (await service.list()).products.map((p) => p.id),
      [PRODUCT_ID, 'other'],
    );
  });
});
