import assert from 'node:assert/strict';
import { beforeEach, describe, mock, test } from 'node:test';
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

  beforeEach(() => {
    devices = automock(DeviceRepository);
    const products = automock(ProductRepository);
    jobs = automock(JobQueue);
    reconciled = mock.fn();
    const metrics = automock(ProvisioningMetrics, {
      jobsReconciled: { inc: reconciled } as unknown as ProvisioningMetrics['jobsReconciled'],
    });
    reconciler = new JobReconciler(devices, products, jobs, metrics);
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

  test('a device of an unknown product is skipped', async () => {
    resolves(devices, 'search', [deviceRecord({ productId: 'gone' })]);
    assert.deepEqual(await reconciler.reconcile(), { checked: 1, added: 0 });
    assert.equal(callsOf(jobs, 'hasPendingJob').length, 0);
  });
});
