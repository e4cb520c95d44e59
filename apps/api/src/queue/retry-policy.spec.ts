import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideRetry, reasonCode } from './retry-policy.js';

describe('retry policy of the Queue page', () => {
  test('a failed job of a device without a final outcome is retried, with what that means for its reason', () => {
    const link = decideRetry('failed', 'claimed', 'STATION_CHIP_LINK_ERROR: no answer');
    assert.equal(link.retryable, true);
    assert.match(link.retry, /re-seat/);
    const unknown = decideRetry('failed', 'queued', 'Error: something');
    assert.deepEqual(unknown.retryable, true);
    assert.match(unknown.retry, /safe to repeat/);
  });

  test('a final outcome is never retried, whatever the job says', () => {
    for (const state of ['provisioned', 'quarantined', 'scrapped'] as const) {
      const decision = decideRetry('failed', state, 'STATION_CHIP_LINK_ERROR: no answer');
      assert.equal(decision.retryable, false, state);
      assert.match(decision.retry, /^not retried/);
    }
    assert.match(decideRetry('failed', 'quarantined', 'STATION_CHIP_CONFLICT: x').retry, /release or scrap/);
    assert.match(decideRetry('failed', 'quarantined', 'STATION_CHIP_PROTECTED: x').retry, /protected/);
  });

  test('a job that is not failed, or has no device, is not retried', () => {
    assert.equal(decideRetry('active', 'claimed', null).retryable, false);
    assert.equal(decideRetry('completed', 'claimed', null).retryable, false);
    assert.equal(decideRetry('failed', null, 'STATION_CHIP_LINK_ERROR: x').retryable, false);
  });

  test('the reason code is the leading STATION_… code of the failed reason', () => {
    assert.equal(reasonCode('STATION_CHIP_SWAPPED: swapped'), 'STATION_CHIP_SWAPPED');
    assert.equal(reasonCode('no code here'), null);
    assert.equal(reasonCode(null), null);
  });
});
