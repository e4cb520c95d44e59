import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { retryDelayMs } from './backoff.js';

const policy = { baseMs: 1_000, maxMs: 60_000 };

describe('retry backoff', () => {
  test('doubles per attempt: half fixed, half jitter', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, policy, () => 0)),
      [500, 1_000, 2_000, 4_000],
    );
    assert.deepEqual(
      [1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, policy, () => 0.999_999)),
      [1_000, 2_000, 4_000, 8_000],
    );
  });

  test('capped at maxMs, also for absurd attempt numbers', () => {
    assert.equal(
      retryDelayMs(7, policy, () => 0.999_999),
      60_000,
    );
    assert.equal(
      retryDelayMs(7, policy, () => 0),
      30_000,
    );
    assert.equal(
      retryDelayMs(10_000, policy, () => 0.5),
      45_000,
    );
  });

  test('every delay lies in [step/2, step] and varies with the random source', () => {
    const delays = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const delay = retryDelayMs(3, policy);
      assert.ok(delay >= 2_000 && delay <= 4_000, String(delay));
      delays.add(delay);
    }
    assert.ok(delays.size > 10, 'jittered');
  });

  test('attempt numbers below 1 count as the first', () => {
    assert.equal(
      retryDelayMs(0, policy, () => 0),
      500,
    );
  });
});
