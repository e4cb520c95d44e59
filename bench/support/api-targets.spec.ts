import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { judge, ratioText, TARGETS, targetText, type Target } from './api-targets.js';

describe('judge', () => {
  const atLeast: Target = { name: 'share', comparison: 'at least', limit: 50, unit: '%' };
  const atMost: Target = { name: 'cpu', comparison: 'at most', limit: 10, unit: 'ms' };
  const below: Target = { name: 'p99', comparison: 'below', limit: 50, unit: 'ms' };

  test('at least: the limit itself meets it; the ratio is measured / limit', () => {
    assert.deepEqual(judge(atLeast, 50), { verdict: 'met', ratio: 1 });
    assert.deepEqual(judge(atLeast, 10), { verdict: 'missed', ratio: 0.2 });
  });

  test('at most: the limit meets it, above misses', () => {
    assert.deepEqual(judge(atMost, 10), { verdict: 'met', ratio: 1 });
    assert.deepEqual(judge(atMost, 31), { verdict: 'missed', ratio: 3.1 });
  });

  test('below: the limit itself misses', () => {
    assert.equal(judge(below, 50).verdict, 'missed');
    assert.equal(judge(below, 49.9).verdict, 'met');
  });

  test('nothing measured (undefined, NaN from an empty sample) is neither met nor missed', () => {
    assert.deepEqual(judge(below, undefined), { verdict: 'not measured', ratio: undefined });
    assert.deepEqual(judge(atLeast, Number.NaN), { verdict: 'not measured', ratio: undefined });
    assert.equal(ratioText(judge(atLeast, undefined)), '–');
  });
});

test('the four targets of issue 12 item 7 as the table states them', () => {
  assert.deepEqual(Object.values(TARGETS).map(targetText), ['≥ 50 %', '≤ 10 CPU ms/device', '< 50 ms', '< 300 MB']);
  assert.equal(ratioText(judge(TARGETS.rssOnPglite, 550)), '1.83 × limit');
});
