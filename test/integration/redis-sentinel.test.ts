// Redis Sentinel for the job queues: the API and a station are given a REDIS_URL that points
// nowhere and find the Redis master only through a real Sentinel (redis-server --sentinel,
// INGRAIN_REDIS_SENTINELS + INGRAIN_REDIS_SENTINEL_NAME). A device requested over the API is
// provisioned by the station, and its job lives on the master under the hash-tagged queue name
// (one Redis Cluster slot per line queue). Then the master dies: the Sentinel promotes the replica and
// devices ordered after that are provisioned through the new master.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { lineQueueName } from '#ingrain/contracts';
import { Redis } from 'ioredis';
import {
  freePort,
  orderDevices,
  pollUntil,
  startLocalStack,
  startRedis,
  startRedisSentinel,
  startSimProcess,
  waitForWorkOrder,
  type LocalStack,
  type RedisSentinel,
  type RedisServer,
  type SimProcess,
} from '../../testkit/stack/index.js';

describe('Redis Sentinel: the API and a station reach the queues through a Sentinel', () => {
  let dir: string;
  let master: RedisServer;
  let replica: RedisServer;
  let sentinel: RedisSentinel;
  let stack: LocalStack;
  let sim: SimProcess;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-sentinel-test-'));
    master = await startRedis();
    replica = await startRedis();
    const replicating = new Redis(replica.url, { maxRetriesPerRequest: 1 });
    await replicating.replicaof('127.0.0.1', master.port);
    replicating.disconnect();
    sentinel = await startRedisSentinel(master.port);
    // Nothing listens there: only the Sentinel can tell where the master is.
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    const sentinelEnv = {
      REDIS_URL: nowhere,
      INGRAIN_REDIS_SENTINELS: sentinel.address,
      INGRAIN_REDIS_SENTINEL_NAME: sentinel.name,
    };
    stack = await startLocalStack({ dir: join(dir, 'stack'), stationIds: ['st-1'], apiEnv: sentinelEnv });
    const releaseDir = join(dir, 'release');
    sim = await startSimProcess({ family: 'stm32f4', count: 1, feeder: { releaseDir } });
    await stack.startStation('st-1', [sim.devices[0]?.port ?? ''], { releaseDir, env: sentinelEnv });
  });
  after(async () => {
    await stack?.close();
    await sim?.stop();
    await sentinel?.stop();
    await master?.stop();
    await replica?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a device requested over the API is provisioned; its job is on the master, hash-tagged', async () => {
    const mes = stack.client(stack.catalog.mesToken);
    const order = await orderDevices(mes, { productId: stack.catalog.productId, quantity: 2, serialPrefix: 'SN-SEN-' });
    const counts = await waitForWorkOrder(mes, order.workOrderId, { timeoutMs: 120_000 });
    assert.equal(counts.provisioned, 2, JSON.stringify(counts));

    const direct = new Redis(master.url, { maxRetriesPerRequest: 1 });
    try {
      const queue = lineQueueName(stack.catalog.line);
      assert.match(queue, /^\{.+\}$/, 'the queue name is a hash tag');
      const keys = await direct.keys(`bull:${queue}:*`);
      assert.ok(keys.length > 0, 'the queue lives on the master the Sentinel named');
      for (const deviceId of order.deviceIds)
        assert.ok(keys.includes(`bull:${queue}:${deviceId}`), `the job of device ${deviceId}`);
    } finally {
      direct.disconnect();
    }
    // The stack's own Redis was never given to anyone: nothing there.
    const unused = new Redis(stack.redis.url, { maxRetriesPerRequest: 1 });
    try {
      assert.deepEqual(await unused.keys('bull:*'), []);
    } finally {
      unused.disconnect();
    }
  });

  test('after the master dies the Sentinel promotes the replica, and devices are provisioned through it', async () => {
    const watcher = new Redis({ host: '127.0.0.1', port: sentinel.port, maxRetriesPerRequest: 1 });
    try {
      // The Sentinel learns of the replica from the master's INFO (every 10 s).
      await pollUntil(
        'the Sentinel to know the replica',
        async () => {
          const replicas = (await watcher.call('SENTINEL', 'REPLICAS', sentinel.name)) as string[][];
          return replicas.some((fields) => fields.includes(String(replica.port))) ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      await master.stop();
      await pollUntil(
        'the Sentinel to promote the replica',
        async () => {
          const address = (await watcher.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', sentinel.name)) as string[];
          return address[1] === String(replica.port) ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
    } finally {
      watcher.disconnect();
    }
    const mes = stack.client(stack.catalog.mesToken);
    const order = await pollUntil(
      'the API to take requests again',
      async () =>
        orderDevices(mes, { productId: stack.catalog.productId, quantity: 2, serialPrefix: 'SN-SEN-B-' }).catch(
          () => undefined,
        ),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const counts = await waitForWorkOrder(mes, order.workOrderId, { timeoutMs: 120_000 });
    assert.equal(counts.provisioned, 2, JSON.stringify(counts));
    const direct = new Redis(replica.url, { maxRetriesPerRequest: 1 });
    try {
      const keys = await direct.keys(`bull:${lineQueueName(stack.catalog.line)}:*`);
      for (const deviceId of order.deviceIds)
        assert.ok(keys.includes(`bull:${lineQueueName(stack.catalog.line)}:${deviceId}`), `job of ${deviceId}`);
    } finally {
      direct.disconnect();
    }
  });
});
