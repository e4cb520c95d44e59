import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { layoutDigest, parseLayout } from '#ingrain/otp';
import { LayoutRepository, type LayoutRecord } from '../repositories/layout-repository.js';
import { automock, type Automocked, callsOf, resolves } from '../testing/automock.js';
import { layoutRecord, PRODUCT_ID } from '../testing/fixtures.js';
import { toLayoutDocument } from './layout-document.js';
import { LayoutCache } from './layout-cache.js';

const SOURCE =
  'name: unit\nversion: 1\nfamily: stm32f4\nfields:\n  - { name: label, block: 0, offset: 0, type: ascii, length: 8, source: input }\n';

function stored(): LayoutRecord {
  const layout = parseLayout(SOURCE);
  return layoutRecord({
    sourceText: SOURCE,
    definition: toLayoutDocument(layout) as LayoutRecord['definition'],
    digest: layoutDigest(layout),
  });
}

describe('LayoutCache', () => {
  let layouts: Automocked<LayoutRepository>;
  let cache: LayoutCache;

  beforeEach(() => {
    layouts = automock(LayoutRepository);
    cache = new LayoutCache(layouts);
  });

  test('a layout is read and validated once, then served from memory', async () => {
    resolves(layouts, 'get', stored());
    const first = await cache.get(PRODUCT_ID, 1);
    const second = await cache.get(PRODUCT_ID, 1);
    assert.equal(first, second);
    assert.equal(first.layout.name, 'unit');
    assert.deepEqual(callsOf(layouts, 'get'), [[PRODUCT_ID, 1]]);
  });

  test('a missing layout: LAYOUT_RECORD_INVALID, and the failure is not cached', async () => {
    resolves(layouts, 'get', undefined);
    await assert.rejects(cache.get(PRODUCT_ID, 1), { code: 'LAYOUT_RECORD_INVALID' });
    resolves(layouts, 'get', stored());
    assert.equal((await cache.get(PRODUCT_ID, 1)).record.version, 1);
    assert.equal(callsOf(layouts, 'get').length, 2);
  });

  test('resolve caches a record just read without reading it again', async () => {
    const resolved = await cache.resolve(stored());
    assert.equal(await cache.get(PRODUCT_ID, 1), resolved);
    assert.equal(callsOf(layouts, 'get').length, 0);
  });
});
