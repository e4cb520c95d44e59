import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, mock, test } from 'node:test';
import { parseLayout } from '#ingrain/otp';
import { LayoutCache } from '../catalogue/layout-cache.js';
import { IdentityService, type IssuedIdentity } from '../identity/identity.service.js';
import { JobQueue } from '../jobs/job-queue.js';
import { ProvisioningMetrics } from '../metrics/provisioning-metrics.js';
import { AttestationRepository } from '../repositories/attestation-repository.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { LayoutRepository } from '../repositories/layout-repository.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { WorkOrderRepository } from '../repositories/work-order-repository.js';
import { automock, type Automocked, callsOf, resolves, stub } from '../testing/automock.js';
import {
  DEVICE_ID,
  deviceRecord,
  layoutRecord,
  mesPrincipal,
  PRODUCT_ID,
  productRecord,
  resolvedLayout,
  WORK_ORDER_ID,
  workOrderRecord,
} from '../testing/fixtures.js';
import { mockTransactions, type MockRepositories } from '../testing/transactions.js';
import { CREATE_DEVICE_OPERATION, DeviceRequestsService } from './device-requests.service.js';
import type { CreateDeviceRequest } from './devices.schemas.js';
import { RequestHasher, requestHashV2 } from './idempotency.js';

const principal = mesPrincipal();
const KEY = 'key-1';
/** The request-hash key the HSM would derive (any 32 bytes will do here). */
const HASH_KEY = new Uint8Array(32).fill(0x5a);
const byProduct: CreateDeviceRequest = { productId: PRODUCT_ID, inputs: { label: 'ABC' } };
const byWorkOrder: CreateDeviceRequest = {
  workOrderId: WORK_ORDER_ID,
  inputs: { label: 'ABC' },
};

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

describe('DeviceRequestsService', () => {
  let tx: MockRepositories;
  let devices: Automocked<DeviceRepository>;
  let products: Automocked<ProductRepository>;
  let layoutRecords: Automocked<LayoutRepository>;
  let workOrders: Automocked<WorkOrderRepository>;
  let identities: Automocked<IdentityService>;
  let jobs: Automocked<JobQueue>;
  let layouts: Automocked<LayoutCache>;
  let discarded: ReturnType<typeof mock.fn>;
  let enqueueFailures: ReturnType<typeof mock.fn>;
  let identity: IssuedIdentity;
  let service: DeviceRequestsService;

  beforeEach(() => {
    const transactions = mockTransactions();
    tx = transactions.tx;
    devices = automock(DeviceRepository);
    products = automock(ProductRepository);
    layoutRecords = automock(LayoutRepository);
    workOrders = automock(WorkOrderRepository);
    const attestations = automock(AttestationRepository);
    identities = automock(IdentityService);
    jobs = automock(JobQueue);
    layouts = automock(LayoutCache);
    discarded = mock.fn();
    enqueueFailures = mock.fn();
    const metrics = automock(ProvisioningMetrics, {
      identitiesDiscarded: { inc: discarded } as unknown as ProvisioningMetrics['identitiesDiscarded'],
      enqueueFailures: { inc: enqueueFailures } as unknown as ProvisioningMetrics['enqueueFailures'],
    });
    service = new DeviceRequestsService(
      transactions.transactions,
      devices,
      products,
      layoutRecords,
      workOrders,
      attestations,
      identities,
      jobs,
      layouts,
      metrics,
      new RequestHasher({ deriveDeviceSecret: () => Promise.resolve(Uint8Array.from(HASH_KEY)) }),
    );
    identity = issuedIdentity();
    resolves(devices, 'findByIdempotencyKey', undefined);
    resolves(devices, 'history', []);
    resolves(products, 'get', productRecord());
    resolves(products, 'nextSerial', 42);
    resolves(layoutRecords, 'latest', layoutRecord());
    resolves(layouts, 'resolve', resolvedLayout());
    resolves(layouts, 'get', resolvedLayout());
    resolves(identities, 'issue', identity);
    resolves(jobs, 'enqueue', undefined);
  });

  describe('create', () => {
    test('by product: next serial, identity issued, stored with its creation event, job enqueued', async () => {
      const stored = deviceRecord({ serial: 'SN000042' });
      resolves(tx.devices, 'createMany', new Map([[KEY, stored]]));

      const view = await service.create(principal, KEY, byProduct);

      assert.deepEqual([view.id, view.state, view.serial], [DEVICE_ID, 'queued', 'SN000042']);
      assert.equal(callsOf(identities, 'issue')[0]?.[0].serial, 'SN000042');
      const [[[newDevice], event]] = callsOf(tx.devices, 'createMany') as [Parameters<DeviceRepository['createMany']>];
      assert.ok(newDevice !== undefined);
      assert.deepEqual(
        [newDevice.productId, newDevice.serial, newDevice.idempotencyKey, newDevice.requestedBy, newDevice.workOrderId],
        [PRODUCT_ID, 'SN000042', KEY, principal.tokenId, null],
      );
      assert.deepEqual(event, { actor: principal.tokenId, reason: 'requested', details: { requestedBy: 'mes' } });
      assert.equal(callsOf(tx.workOrders, 'tryIssue').length, 0, 'no quota for a request by product');
      assert.ok(
        identity.image.data.every((byte) => byte === 0),
        'the secrets are zeroed',
      );
      assert.deepEqual(callsOf(jobs, 'enqueue'), [
        [{ deviceId: DEVICE_ID, productId: PRODUCT_ID, layoutVersion: 1, line: 'line-a' }],
      ]);
    });

    test('a serial input that contradicts the serial: refused before a serial is taken or the HSM used', async () => {
      const serialLayout = {
        record: layoutRecord(),
        layout: parseLayout(
          'name: unit\nversion: 1\nfamily: stm32f4\nfields:\n  - { name: serial, block: 0, offset: 0, type: ascii, length: 16, source: input }\nlock: [0]\n',
        ),
      };
      resolves(layouts, 'resolve', serialLayout);
      resolves(layouts, 'get', serialLayout);
      for (const request of [
        { ...byProduct, serial: 'SN-A', inputs: { serial: 'SN-B' } },
        { ...byProduct, inputs: { serial: 'SN-B' } },
      ]) {
        await assert.rejects(service.create(principal, KEY, request), { code: 'IDENTITY_FIELDS_DISAGREE' });
      }
      assert.equal(callsOf(products, 'nextSerial').length, 0, 'no serial taken');
      assert.equal(callsOf(identities, 'issue').length, 0, 'no HSM work');
      assert.equal(callsOf(tx.devices, 'createMany').length, 0, 'nothing stored');
    });

    test('by work order: a quota unit taken in the same transaction', async () => {
      resolves(workOrders, 'getWithProduct', {
        order: workOrderRecord(),
        product: productRecord(),
        serialTaken: false,
      });
      resolves(tx.devices, 'createMany', new Map([[KEY, deviceRecord({ workOrderId: WORK_ORDER_ID })]]));
      resolves(tx.workOrders, 'tryIssue', true);
      await service.create(principal, KEY, byWorkOrder);
      assert.deepEqual(callsOf(tx.workOrders, 'tryIssue'), [[WORK_ORDER_ID]]);
    });

    test('quota gone inside the transaction: WORK_ORDER_EXHAUSTED, identity discarded', async () => {
      resolves(workOrders, 'getWithProduct', {
        order: workOrderRecord({ quantity: 1 }),
        product: productRecord(),
        serialTaken: false,
      });
      resolves(tx.devices, 'createMany', new Map([[KEY, deviceRecord()]]));
      resolves(tx.workOrders, 'tryIssue', false);
      resolves(tx.workOrders, 'get', workOrderRecord({ quantity: 1, issued: 1 }));
      await assert.rejects(service.create(principal, KEY, byWorkOrder), { code: 'WORK_ORDER_EXHAUSTED' });
      assert.deepEqual(discarded.mock.calls[0]?.arguments, [{ reason: 'quota' }]);
      assert.equal(callsOf(jobs, 'enqueue').length, 0);
    });

    test('refusals read before any HSM work', async () => {
      resolves(workOrders, 'getWithProduct', undefined);
      await assert.rejects(service.create(principal, KEY, byWorkOrder), { code: 'WORK_ORDER_NOT_FOUND' });
      resolves(workOrders, 'getWithProduct', {
        order: workOrderRecord({ status: 'closed' }),
        product: productRecord(),
        serialTaken: false,
      });
      await assert.rejects(service.create(principal, KEY, byWorkOrder), { code: 'WORK_ORDER_CLOSED' });
      resolves(workOrders, 'getWithProduct', {
        order: workOrderRecord({ quantity: 2, issued: 2 }),
        product: productRecord(),
        serialTaken: false,
      });
      await assert.rejects(service.create(principal, KEY, byWorkOrder), { code: 'WORK_ORDER_EXHAUSTED' });
      resolves(products, 'get', undefined);
      await assert.rejects(service.create(principal, KEY, byProduct), { code: 'PRODUCT_NOT_FOUND' });
      resolves(products, 'get', productRecord());
      resolves(layoutRecords, 'latest', undefined);
      await assert.rejects(service.create(principal, KEY, byProduct), { code: 'PRODUCT_HAS_NO_LAYOUT' });
      assert.equal(callsOf(identities, 'issue').length, 0);
    });

    test('a given serial already taken: SERIAL_ALREADY_USED before any HSM work', async () => {
      resolves(devices, 'search', [deviceRecord()]);
      await assert.rejects(service.create(principal, KEY, { ...byProduct, serial: 'SN000001' }), {
        code: 'SERIAL_ALREADY_USED',
      });
      assert.deepEqual(callsOf(devices, 'search'), [[{ productId: PRODUCT_ID, serial: 'SN000001' }, { limit: 1 }]]);
      assert.equal(callsOf(identities, 'issue').length, 0);
      assert.equal(callsOf(products, 'nextSerial').length, 0);
    });

    test('by work order, a given serial already taken: told by the target read itself, before any HSM work', async () => {
      resolves(workOrders, 'getWithProduct', { order: workOrderRecord(), product: productRecord(), serialTaken: true });
      await assert.rejects(service.create(principal, KEY, { ...byWorkOrder, serial: 'SN000001' }), {
        code: 'SERIAL_ALREADY_USED',
      });
      assert.deepEqual(callsOf(workOrders, 'getWithProduct'), [[WORK_ORDER_ID, 'SN000001']]);
      assert.equal(callsOf(devices, 'search').length, 0, 'no second read');
      assert.equal(callsOf(identities, 'issue').length, 0);
    });

    test('an idempotent replay returns the earlier device and makes sure of its job', async () => {
      const earlier = deviceRecord({ requestHash: requestHashV2(HASH_KEY, CREATE_DEVICE_OPERATION, byProduct) });
      resolves(devices, 'findByIdempotencyKey', earlier);
      resolves(jobs, 'requeue', 'pending');
      const view = await service.create(principal, KEY, byProduct);
      assert.equal(view.id, DEVICE_ID);
      assert.deepEqual(callsOf(devices, 'findByIdempotencyKey'), [[principal.tokenId, KEY]]);
      assert.equal(callsOf(jobs, 'requeue').length, 1);
      assert.equal(callsOf(identities, 'issue').length, 0);
    });

    test('the same key with another body: IDEMPOTENCY_KEY_REUSED', async () => {
      resolves(devices, 'findByIdempotencyKey', deviceRecord({ requestHash: new Uint8Array(32) }));
      await assert.rejects(service.create(principal, KEY, byProduct), { code: 'IDEMPOTENCY_KEY_REUSED' });
    });

    test('the same key stored concurrently first: its device is answered, this identity discarded', async () => {
      const winner = deviceRecord({ requestHash: requestHashV2(HASH_KEY, CREATE_DEVICE_OPERATION, byProduct) });
      resolves(tx.devices, 'createMany', new Map());
      resolves(tx.devices, 'findByIdempotencyKey', winner);
      resolves(jobs, 'requeue', 'pending');
      const view = await service.create(principal, KEY, byProduct);
      assert.equal(view.id, DEVICE_ID);
      assert.deepEqual(discarded.mock.calls[0]?.arguments, [{ reason: 'replayed' }]);
      assert.equal(callsOf(jobs, 'enqueue').length, 0);
    });

    test('the serial taken concurrently (the insert skipped it, no device has the key): SERIAL_ALREADY_USED', async () => {
      resolves(tx.devices, 'createMany', new Map());
      resolves(tx.devices, 'findByIdempotencyKey', undefined);
      resolves(devices, 'search', []);
      await assert.rejects(service.create(principal, KEY, { ...byProduct, serial: 'SN000001' }), {
        code: 'SERIAL_ALREADY_USED',
      });
      assert.deepEqual(discarded.mock.calls[0]?.arguments, [{ reason: 'serial-taken' }]);
      assert.equal(callsOf(jobs, 'enqueue').length, 0);
      assert.ok(identity.image.data.every((byte) => byte === 0));
    });

    test('a failed enqueue still returns the device (the reconciler adds the job)', async () => {
      resolves(tx.devices, 'createMany', new Map([[KEY, deviceRecord()]]));
      stub(jobs, 'enqueue', () => Promise.reject(new Error('redis down')));
      assert.equal((await service.create(principal, KEY, byProduct)).id, DEVICE_ID);
      assert.equal(enqueueFailures.mock.callCount(), 1);
    });
  });

  test('get: DEVICE_NOT_FOUND for an unknown device', async () => {
    resolves(devices, 'get', undefined);
    await assert.rejects(service.get(DEVICE_ID), { code: 'DEVICE_NOT_FOUND' });
  });

  test('list: the page of devices matching the filters', async () => {
    resolves(devices, 'search', [deviceRecord()]);
    const list = await service.list({ limit: 10, offset: 0, state: 'queued' });
    // One row more than the page: it only says whether there is a next page (nextCursor).
    assert.deepEqual(callsOf(devices, 'search'), [[{ state: 'queued' }, { limit: 11, offset: 0 }]]);
    assert.deepEqual([list.devices.length, list.nextCursor], [1, null]);
  });

  test('list: a full page gives a cursor after its last device; that cursor reads after it', async () => {
    const [one, two] = [deviceRecord({ id: randomUUID() }), deviceRecord({ id: randomUUID() })];
    resolves(devices, 'search', [one, two]);
    const page = await service.list({ limit: 1 });
    assert.deepEqual(
      page.devices.map((device) => device.id),
      [one.id],
    );
    resolves(devices, 'search', [two]);
    await service.list({ limit: 1, cursor: page.nextCursor ?? '' });
    assert.deepEqual(callsOf(devices, 'search')[1], [{}, { limit: 2, after: one.id }]);
    await assert.rejects(service.list({ limit: 1, cursor: 'eyJsIjoidyIsImsiOlsxXX0' }), { code: 'CURSOR_INVALID' });
  });
});
