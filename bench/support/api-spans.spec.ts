import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SpanSet, spanPer } from './api-spans.js';

class Service {
  calls = 0;
  async work(value: number): Promise<number> {
    this.calls++;
    return Promise.resolve(value * 2);
  }
}

describe('SpanSet', () => {
  test('a wrapped method still answers as before and counts its calls', async () => {
    const service = new Service();
    const spans = SpanSet.install([{ name: 'work', where: 'Service.work', owner: () => service, method: 'work' }]);
    assert.equal(await service.work(21), 42);
    assert.equal(await service.work(1), 2);
    assert.equal(service.calls, 2);
    assert.equal(spans.totals()['work']?.count, 2);
    spans.reset();
    assert.equal(spans.totals()['work']?.count, 0);
  });

  test('a method or an owner that is gone leaves the span n/a, with the reason, instead of throwing', () => {
    const spans = SpanSet.install([
      { name: 'renamed', where: 'Service.gone', owner: () => new Service(), method: 'gone' },
      {
        name: 'unknown',
        where: 'Missing.work',
        owner: () => {
          throw new Error('Nest could not find Missing element');
        },
        method: 'work',
      },
    ]);
    assert.deepEqual(spans.totals(), { renamed: null, unknown: null });
    assert.match(spans.missing.get('renamed') ?? '', /Service\.gone/);
    assert.match(spans.missing.get('unknown') ?? '', /could not find/);
  });
});

describe('spanPer', () => {
  test('total ms per unit; n/a for a missing span and for one that never ran in the row', () => {
    const totals = { claim: { totalMs: 30, count: 10 }, gone: null, idle: { totalMs: 0, count: 0 } };
    assert.equal(spanPer(totals, 'claim', 10), 3);
    assert.equal(spanPer(totals, 'gone', 10), undefined);
    assert.equal(spanPer(totals, 'idle', 10), undefined);
    assert.equal(spanPer(totals, 'absent', 10), undefined);
  });
});
