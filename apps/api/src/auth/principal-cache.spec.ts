import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashToken } from './api-token.js';
import type { Principal } from './principal.js';
import { PrincipalCache } from './principal-cache.js';

const principal = (n: number): Principal => ({
  tokenId: `token-${n}`,
  tokenName: `name-${n}`,
  role: 'station',
  stationId: `st-${n}`,
  stationLine: 'line-a',
  stationSealingKey: null,
});
const hash = (n: number) => hashToken(`ingr_${String(n).padStart(43, 'x')}`);

describe('PrincipalCache', () => {
  test('an entry lives TTL from the start of the read that found it', () => {
    const clock = { nowMs: 0 };
    const cache = new PrincipalCache({ ttlMs: 100, now: () => clock.nowMs });
    const ticket = cache.ticket();
    clock.nowMs = 40; // the read took 40 ms
    cache.store(hash(1), principal(1), ticket);
    clock.nowMs = 99;
    assert.equal(cache.get(hash(1))?.tokenId, 'token-1');
    clock.nowMs = 100;
    assert.equal(cache.get(hash(1)), undefined);
    assert.equal(cache.size, 0, 'an expired entry is dropped when met');
  });

  test('a read slower than the TTL is not stored', () => {
    const clock = { nowMs: 0 };
    const cache = new PrincipalCache({ ttlMs: 100, now: () => clock.nowMs });
    const ticket = cache.ticket();
    clock.nowMs = 100;
    cache.store(hash(1), principal(1), ticket);
    assert.equal(cache.size, 0);
  });

  test('holds at most maxEntries: the oldest stored goes first', () => {
    const cache = new PrincipalCache({ ttlMs: 1000, maxEntries: 2, now: () => 0 });
    for (const n of [1, 2, 3]) cache.store(hash(n), principal(n), cache.ticket());
    assert.equal(cache.size, 2);
    assert.equal(cache.get(hash(1)), undefined);
    assert.equal(cache.get(hash(3))?.tokenId, 'token-3');
  });

  test('forgetting voids every read in flight, not only the forgotten token', () => {
    const cache = new PrincipalCache({ ttlMs: 1000, now: () => 0 });
    const before = cache.ticket();
    cache.store(hash(1), principal(1), cache.ticket());
    cache.forgetToken('token-1');
    cache.store(hash(2), principal(2), before);
    assert.equal(cache.size, 0);
    cache.store(hash(2), principal(2), cache.ticket());
    assert.equal(cache.size, 1);
    cache.forgetStation('st-2');
    assert.equal(cache.size, 0);
  });
});
