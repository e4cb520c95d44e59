import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthFailureLimiter } from './auth-failure-limiter.js';

function limiter(maxFailures: number, windowMs: number, maxTracked?: number) {
  const clock = { nowMs: 1_000_000 };
  const instance = new AuthFailureLimiter({ maxFailures, windowMs }, () => clock.nowMs, maxTracked);
  return { instance, clock };
}

describe('AuthFailureLimiter', () => {
  test('allows until maxFailures failures, then refuses until the oldest leaves the window', () => {
    const { instance, clock } = limiter(3, 60_000);
    for (let i = 0; i < 3; i++) {
      assert.equal(instance.retryAfterMs('10.0.0.1'), 0);
      instance.recordFailure('10.0.0.1');
      clock.nowMs += 1_000;
    }
    // Failures at t0, t0+1 s, t0+2 s; now t0+3 s: blocked until t0+60 s.
    assert.equal(instance.retryAfterMs('10.0.0.1'), 57_000);
    clock.nowMs += 56_999;
    assert.equal(instance.retryAfterMs('10.0.0.1'), 1);
    clock.nowMs += 1;
    assert.equal(instance.retryAfterMs('10.0.0.1'), 0);
  });

  test('the window slides: old failures stop counting', () => {
    const { instance, clock } = limiter(2, 10_000);
    instance.recordFailure('a');
    clock.nowMs += 9_000;
    instance.recordFailure('a');
    assert.ok(instance.retryAfterMs('a') > 0);
    clock.nowMs += 1_000; // the first failure leaves the window
    assert.equal(instance.retryAfterMs('a'), 0);
    instance.recordFailure('a'); // two within the window again
    assert.equal(instance.retryAfterMs('a'), 9_000);
  });

  test('addresses are independent', () => {
    const { instance } = limiter(1, 10_000);
    instance.recordFailure('a');
    assert.ok(instance.retryAfterMs('a') > 0);
    assert.equal(instance.retryAfterMs('b'), 0);
  });

  test('memory stays bounded: the least recently failing address is forgotten first', () => {
    const { instance } = limiter(1, 60_000, 2);
    instance.recordFailure('a');
    instance.recordFailure('b');
    instance.recordFailure('a'); // a becomes the most recent
    instance.recordFailure('c'); // evicts b
    assert.equal(instance.trackedAddresses, 2);
    assert.equal(instance.retryAfterMs('b'), 0);
    assert.ok(instance.retryAfterMs('a') > 0);
    assert.ok(instance.retryAfterMs('c') > 0);
  });
});
