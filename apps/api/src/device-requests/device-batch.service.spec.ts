import assert from 'node:assert/strict';
import { beforeEach, describe, mock, test } from 'node:test';
import { LayoutCache } from '../catalogue/layout-cache.js';
import { IdentityService, type IssuedIdentity } from '../identity/identity.service.js';
import { JobQueue } from '../jobs/job-queue.js';
import { ProvisioningMetrics } from '../metrics/provisioning-metrics.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { LayoutRepository } from '../repositories/layout-repository.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { WorkOrderRepository } from '../repositories/work-order-repository.js';
import { automock, type Automocked, callsOf, resolves, stub } from '../testing/automock.js';
import {
  deviceRecord,
  mesPrincipal,
  productRecord,
  resolvedLayout,
  WORK_ORDER_ID,
  workOrderRecord,
} from '../testing/fixtures.js';
import { mockTransactions, type MockRepositories } from '../testing/transactions.js';
import { BATCH_OPERATION, DeviceBatchService, itemKey } from './device-batch.service.js';
import { RequestHasher, requestHashV2 } from './idempotency.js';

const principal = mesPrincipal();
const KEY = 'batch-1';
const HASH_KEY = new Uint8Array(32).fill(0x5a);

function issuedIdentity(): IssuedIdentity {
  return {
    publicKeySpkiDer: new Uint8Array([1]),
    publicKeyPoint: new Uint8Array([4]),
    certificate: { der: new Uint8Array([2]), fingerprintSha256: 'ab'.repeat(32) },
    image: { data: new Uint8Array(512).fill(0x11), lockedBlocks: [0] },
    storedImage: { data: new Uint8Array(512), lockedBlocks: [0] },
    secretFields: [],
    sealedSecrets: null,
  } as unknown as IssuedIdentity;
}

describe('DeviceBatchService', () => {
  let tx: MockRepositories;
  let devices: Automocked<DeviceRepository>;
  let products: Automocked<ProductRepository>;
  let workOrders: Automocked<WorkOrderRepository>;
  let identities: Automocked<IdentityService>;
  let jobs: Automocked<JobQueue>;
  let service: DeviceBatchService;
  let issued: IssuedIdentity[];

  beforeEach(() => {
    const transactions = mockTransactions();
    tx = transactions.tx;
    devices = automock(DeviceRepository);
    products = automock(ProductRepository);
    workOrders = automock(WorkOrderRepository);
    identities = automock(IdentityService);
    jobs = automock(JobQueue);
    const layouts = automock(LayoutCache);
    const metrics = automock(ProvisioningMetrics, {
      identitiesDiscarded: { inc: mock.fn() } as unknown as ProvisioningMetrics['identitiesDiscarded'],
      enqueueFailures: { inc: mock.fn() } as unknown as ProvisioningMetrics['enqueueFailures'],
    });
    service = new DeviceBatchService(
      transactions.transactions,
      devices,
      products,
      automock(LayoutRepository),
      workOrders,
      identities,
      jobs,
      layouts,
      metrics,
      new RequestHasher({ deriveDeviceSecret: () => Promise.resolve(Uint8Array.from(HASH_KEY)) }),
    );
    issued = [];
    resolves(devices, 'findByIdempotencyKeys', new Map());
    resolves(devices, 'serialsTaken', new Set());
    resolves(workOrders, 'getWithProduct', {
      order: workOrderRecord({ quantity: 10, issued: 8 }),
      product: productRecord(),
      serialTaken: false,
    });
    resolves(products, 'get', productRecord());
    resolves(products, 'nextSerials', 40);
    resolves(layouts, 'get', resolvedLayout());
    stub(identities, 'issue', () => {
      const identity = issuedIdentity();
      issued.push(identity);
      return Promise.resolve(identity);
    });
    resolves(jobs, 'enqueueMany', undefined);
    resolves(tx.workOrders, 'lockQuota', 2);
    resolves(tx.workOrders, 'addIssued', undefined);
    stub(tx.devices, 'createMany', (many) =>
      Promise.resolve(
        new Map(
          many.map((device) => [device.idempotencyKey, deviceRecord({ id: device.id ?? '', serial: device.serial })]),
        ),
      ),
    );
  });

  test('one serial range, identities only for the quota as read; stored under the quota lock; secrets zeroed', async () => {
    const items = [{ inputs: { label: 'A' } }, { inputs: { label: 'B' } }, { inputs: { label: 'C' } }];
    const response = await service.request(principal, KEY, WORK_ORDER_ID, { items });
    assert.deepEqual(
      response.results.map((r) => [r.index, r.status, r.error?.code ?? null]),
      [
        [0, 'created', null],
        [1, 'created', null],
        [2, 'error', 'WORK_ORDER_EXHAUSTED'],
      ],
    );
    assert.deepEqual(callsOf(products, 'nextSerials'), [[productRecord().id, 2]]);
    assert.equal(callsOf(identities, 'issue').length, 2);
    assert.deepEqual(
      callsOf(tx.devices, 'createMany').flatMap(([many]) =>
        many.map((device) => [device.serial, device.idempotencyKey]),
      ),
      [
        ['SN000040', itemKey(KEY, 0)],
        ['SN000041', itemKey(KEY, 1)],
      ],
    );
    assert.deepEqual(callsOf(tx.workOrders, 'addIssued'), [[WORK_ORDER_ID, 2]]);
    assert.deepEqual(
      callsOf(jobs, 'enqueueMany').map(([, many]) => many.length),
      [2],
    );
    assert.ok(issued.every((identity) => identity.image.data.every((byte) => byte === 0)));
  });

  test('the quota under the lock decides: fewer units than identities leaves the rest exhausted, unstored', async () => {
    resolves(tx.workOrders, 'lockQuota', 1);
    const items = [{ inputs: { label: 'A' } }, { inputs: { label: 'B' } }];
    const response = await service.request(principal, KEY, WORK_ORDER_ID, { items });
    assert.deepEqual(
      response.results.map((r) => r.status),
      ['created', 'error'],
    );
    assert.equal(callsOf(tx.devices, 'createMany').flatMap(([many]) => many).length, 1);
    assert.deepEqual(callsOf(tx.workOrders, 'addIssued'), [[WORK_ORDER_ID, 1]]);
  });

  test('earlier items replay (same body) or are refused (another body); nothing issued for them', async () => {
    const same = { inputs: { label: 'A' } };
    const hash = requestHashV2(HASH_KEY, BATCH_OPERATION, { workOrderId: WORK_ORDER_ID, ...same });
    resolves(
      devices,
      'findByIdempotencyKeys',
      new Map([
        [itemKey(KEY, 0), deviceRecord({ requestHash: hash })],
        [itemKey(KEY, 1), deviceRecord({ requestHash: hash })],
      ]),
    );
    const response = await service.request(principal, KEY, WORK_ORDER_ID, {
      items: [same, { inputs: { label: 'B' } }],
    });
    assert.deepEqual(
      response.results.map((r) => [r.status, r.error?.code ?? null]),
      [
        ['replayed', null],
        ['error', 'IDEMPOTENCY_KEY_REUSED'],
      ],
    );
    assert.equal(callsOf(identities, 'issue').length, 0);
  });

  test('bad inputs and taken serials are item errors naming body.items[i]; a closed work order fails the call', async () => {
    resolves(devices, 'serialsTaken', new Set(['SN-TAKEN']));
    const response = await service.request(principal, KEY, WORK_ORDER_ID, {
      items: [{ inputs: { label: 'far too long for eight' } }, { serial: 'SN-TAKEN', inputs: { label: 'A' } }],
    });
    assert.deepEqual(
      response.results.map((r) => [r.error?.code, r.error?.errors[0]?.path]),
      [
        ['VALUES_INVALID', 'body.items[0].inputs.label'],
        ['SERIAL_ALREADY_USED', 'body.items[1].serial'],
      ],
    );
    assert.equal(callsOf(identities, 'issue').length, 0);
    resolves(workOrders, 'getWithProduct', {
      order: workOrderRecord({ status: 'closed' }),
      product: productRecord(),
      serialTaken: false,
    });
    await assert.rejects(service.request(principal, KEY, WORK_ORDER_ID, { items: [{ inputs: {} }] }), {
      code: 'WORK_ORDER_CLOSED',
    });
  });

  test('items the insert skipped are told apart (a replay of the key, a taken serial); their units go to the next items', async () => {
    resolves(workOrders, 'getWithProduct', {
      order: workOrderRecord({ quantity: 10, issued: 7 }),
      product: productRecord(),
      serialTaken: false,
    });
    const items = [{ inputs: { label: 'A' } }, { inputs: { label: 'B' } }, { inputs: { label: 'C' } }];
    const hash = requestHashV2(HASH_KEY, BATCH_OPERATION, { workOrderId: WORK_ORDER_ID, ...items[0] });
    const skippedKeys = new Set([itemKey(KEY, 0), itemKey(KEY, 1)]);
    stub(tx.devices, 'createMany', (many) =>
      Promise.resolve(
        new Map(
          many
            .filter((device) => !skippedKeys.has(device.idempotencyKey))
            .map((device) => [device.idempotencyKey, deviceRecord({ id: device.id ?? '', serial: device.serial })]),
        ),
      ),
    );
    resolves(tx.devices, 'findByIdempotencyKeys', new Map([[itemKey(KEY, 0), deviceRecord({ requestHash: hash })]]));
    const response = await service.request(principal, KEY, WORK_ORDER_ID, { items });
    assert.deepEqual(
      response.results.map((r) => [r.index, r.status, r.error?.code ?? null]),
      [
        [0, 'replayed', null],
        [1, 'error', 'SERIAL_ALREADY_USED'],
        [2, 'created', null],
      ],
    );
    assert.deepEqual(
      callsOf(tx.devices, 'createMany').map(([many]) => many.map((device) => device.idempotencyKey)),
      [[itemKey(KEY, 0), itemKey(KEY, 1)], [itemKey(KEY, 2)]],
    );
    assert.deepEqual(callsOf(tx.workOrders, 'addIssued'), [[WORK_ORDER_ID, 1]]);
    assert.ok(issued.every((identity) => identity.image.data.every((byte) => byte === 0)));
  });
});
