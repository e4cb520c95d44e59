import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  redisSentinelNameSchema,
  redisSentinelOptions,
  redisSentinelPairProblem,
  redisSentinelsSchema,
} from './redis-sentinel.js';

void describe('redisSentinelsSchema', () => {
  void test('reads host:port entries: names, IPv4, bracketed IPv6, spaces around commas', () => {
    assert.deepEqual(redisSentinelsSchema.parse('s1.internal:26379 , 10.0.0.2:26380,[fd00::1]:26381'), [
      { host: 's1.internal', port: 26379 },
      { host: '10.0.0.2', port: 26380 },
      { host: 'fd00::1', port: 26381 },
    ]);
  });

  void test('refuses an entry without a port, a port out of range, an empty list', () => {
    for (const text of ['s1', 's1:0', 's1:65536', 's1:26379,s2', ',', 'redis://s1:26379', 'fd00::1:26379']) {
      const result = redisSentinelsSchema.safeParse(text);
      assert.equal(result.success, false, text);
    }
  });
});

void describe('redisSentinelNameSchema and the pair', () => {
  void test('a name is a slug', () => {
    assert.equal(redisSentinelNameSchema.safeParse('ingrain-queues').success, true);
    assert.equal(redisSentinelNameSchema.safeParse('my master').success, false);
  });

  void test('both variables or neither', () => {
    assert.equal(redisSentinelPairProblem(undefined, undefined), undefined);
    assert.equal(redisSentinelPairProblem([{ host: 's', port: 1 }], 'ingrain'), undefined);
    assert.match(redisSentinelPairProblem([{ host: 's', port: 1 }], undefined) ?? '', /set both or neither/);
    assert.match(redisSentinelPairProblem(undefined, 'ingrain') ?? '', /set both or neither/);
  });

  void test('ioredis options: sentinels and name, or nothing', () => {
    assert.deepEqual(redisSentinelOptions(null), {});
    assert.deepEqual(redisSentinelOptions(undefined), {});
    assert.deepEqual(redisSentinelOptions({ sentinels: [{ host: 's1', port: 26379 }], name: 'ingrain' }), {
      sentinels: [{ host: 's1', port: 26379 }],
      name: 'ingrain',
    });
  });
});
