import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import type { Redis } from 'ioredis';
import { ProvisioningMetrics } from '../metrics/provisioning-metrics.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { automock, type Automocked, callsOf, resolves, stub } from '../testing/automock.js';
import { claimedDevice, deviceRecord, OTHER_DEVICE_ID, productRecord } from '../testing/fixtures.js';
import { JobQueue } from './job-queue.js';
import { JobReconciler } from './job-reconciler.js';

describe('JobReconciler', () => {
  let devices: Automocked<DeviceRepository>;
  let jobs: Automocked<JobQueue>;
  let reconciled: ReturnType<typeof mock.fn>;
  let reconciler: JobReconciler;
  let redis: EventEmitter & { status: string };

  beforeEach(() => {
    redis = Object.assign(new EventEmitter(), { status: 'ready' });
    devices = automock(DeviceRepository);
    const products = automock(ProductRepository);
    jobs = automock(JobQueue);
    reconciled = mock.fn();
    const metrics = automock(ProvisioningMetrics, {
      jobsReconciled: { inc: reconciled } as unknown as ProvisioningMetrics['jobsReconciled'],
    });
    reconciler = new JobReconciler(devices, products, jobs, metrics, redis as unknown as Redis);
    resolves(products, 'list', [productRecord()]);
    stub(jobs, 'track', () => undefined);
  });

  test('a queued device without a job gets one; one with a job, or claimed meanwhile, gets none', async () => {
    const missing = deviceRecord();
    const pending = deviceRecord({ id: OTHER_DEVICE_ID });
    const raced = deviceRecord({ id: '0b8f6d2e-4c1a-4f0e-9a57-3c2d1e0f9a03' });
    resolves(devices, 'search', [missing, pending, raced]);
    stub(jobs, 'hasPendingJob', (_line: string, id: string) => Promise.resolve(id === pending.id));
    stub(devices, 'get', (id: string) =>
      Promise.resolve(id === raced.id ? claimedDevice({ id }) : deviceRecord({ id })),
    );
    resolves(jobs, 'requeue', 'added');

    assert.deepEqual(await reconciler.reconcile(), { checked: 3, added: 1 });

    assert.deepEqual(callsOf(devices, 'search'), [[{ state: 'queued' }, { limit: 500, offset: 0 }]]);
    assert.deepEqual(callsOf(jobs, 'track'), [['line-a']]);
    assert.deepEqual(callsOf(jobs, 'requeue'), [
      [{ deviceId: missing.id, productId: missing.productId, layoutVersion: 1, line: 'line-a' }],
    ]);
    assert.deepEqual(reconciled.mock.calls[0]?.arguments, [1]);
  });

  afterEach(() => reconciler.beforeApplicationShutdown());

  test('Redis ready again after a lost connection: a pass runs at once (issue 9, defect 10)', async () => {
    resolves(devices, 'search', []);
    reconciler.onApplicationBootstrap(); // the start-up pass
    await waitFor(() => callsOf(devices, 'search').length === 1);
    redis.emit('ready'); // no connection was lost: nothing to do
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(callsOf(devices, 'search').length, 1);
    redis.emit('close');
    redis.emit('ready');
    await waitFor(() => callsOf(devices, 'search').length === 2);
  });

  test('a pass asked for while one runs runs again right after it', async () => {
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    stub(devices, 'search', async () => {
      if (callsOf(devices, 'search').length === 1) await blocked;
      return [];
    });
    reconciler.onApplicationBootstrap();
    redis.emit('close');
    redis.emit('ready');
    release();
    await waitFor(() => callsOf(devices, 'search').length === 2);
  });

  test('a device of an unknown product is skipped', async () => {
    resolves(devices, 'search', [deviceRecord({ productId: 'gone' })]);
    assert.deepEqual(await reconciler.reconcile(), { checked: 1, added: 0 });
    assert.equal(callsOf(jobs, 'hasPendingJob').length, 0);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
