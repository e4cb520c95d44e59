import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { JobQueue } from '../jobs/job-queue.js';
import { AttestationRepository } from '../repositories/attestation-repository.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { automock, type Automocked, callsOf, resolves, stub } from '../testing/automock.js';
import {
  adminPrincipal,
  claimedDevice,
  CHIP_UID,
  DEVICE_ID,
  deviceEvent,
  deviceRecord,
  productRecord,
} from '../testing/fixtures.js';
import { mockTransactions, type MockRepositories } from '../testing/transactions.js';
import { OperatorActionsService } from './operator-actions.service.js';
import type { WebhookOutbox } from '../repositories/webhook-outbox.js';

const action = { reason: 'chip dropped on the floor' };
const principal = adminPrincipal();

describe('OperatorActionsService', () => {
  let tx: MockRepositories;
  let devices: Automocked<DeviceRepository>;
  let products: Automocked<ProductRepository>;
  let attestations: Automocked<AttestationRepository>;
  let jobs: Automocked<JobQueue>;
  let service: OperatorActionsService;

  beforeEach(() => {
    const transactions = mockTransactions();
    tx = transactions.tx;
    devices = automock(DeviceRepository);
    products = automock(ProductRepository);
    attestations = automock(AttestationRepository);
    jobs = automock(JobQueue);
    service = new OperatorActionsService(transactions.transactions, devices, products, attestations, jobs);
    resolves(devices, 'history', []);
    resolves(attestations, 'getByDevice', undefined);
    resolves(products, 'get', productRecord());
  });

  describe('release', () => {
    test('an unknown device: DEVICE_NOT_FOUND, nothing changed', async () => {
      resolves(tx.devices, 'lockForUpdate', undefined);
      await assert.rejects(service.release(DEVICE_ID, action, principal), { code: 'DEVICE_NOT_FOUND' });
      assert.equal(callsOf(tx.devices, 'transition').length, 0);
    });

    test('a device that is not claimed: DEVICE_STATE_CONFLICT, nothing changed', async () => {
      resolves(tx.devices, 'lockForUpdate', 'queued');
      resolves(tx.devices, 'history', []);
      await assert.rejects(service.release(DEVICE_ID, action, principal), { code: 'DEVICE_STATE_CONFLICT' });
      assert.equal(callsOf(tx.devices, 'transition').length, 0);
    });

    test('a chip a station reported bytes written to: DEVICE_RELEASE_REFUSED', async () => {
      resolves(tx.devices, 'lockForUpdate', 'claimed');
      resolves(tx.devices, 'history', [
        deviceEvent({ fromState: 'claimed', toState: 'claimed', details: { bytesWritten: 16 } }),
      ]);
      await assert.rejects(service.release(DEVICE_ID, action, principal), { code: 'DEVICE_RELEASE_REFUSED' });
      assert.equal(callsOf(tx.devices, 'transition').length, 0);
    });

    test('a claimed device nothing was written to goes back to queued and gets its job again', async () => {
      const released = deviceRecord();
      resolves(tx.devices, 'lockForUpdate', 'claimed');
      resolves(tx.devices, 'history', [deviceEvent({ fromState: 'queued', toState: 'claimed', chipUid: CHIP_UID })]);
      resolves(tx.devices, 'transition', true);
      resolves(tx.devices, 'get', released);
      resolves(jobs, 'requeue', 'added');

      const view = await service.release(DEVICE_ID, action, principal);

      assert.equal(view.state, 'queued');
      assert.deepEqual(callsOf(tx.devices, 'transition'), [
        [
          DEVICE_ID,
          'release',
          { actor: principal.tokenId, reason: action.reason, details: { action: 'release', operator: 'admin' } },
        ],
      ]);
      assert.deepEqual(callsOf(jobs, 'requeue'), [
        [{ deviceId: DEVICE_ID, productId: released.productId, layoutVersion: 1, line: 'line-a' }],
      ]);
    });

    test('a failed requeue does not fail the release (the reconciler adds the job)', async () => {
      resolves(tx.devices, 'lockForUpdate', 'claimed');
      resolves(tx.devices, 'history', []);
      resolves(tx.devices, 'transition', true);
      resolves(tx.devices, 'get', deviceRecord());
      stub(jobs, 'requeue', () => Promise.reject(Object.assign(new Error('down'), { code: 'X' })));
      assert.equal((await service.release(DEVICE_ID, action, principal)).state, 'queued');
    });
  });

  describe('scrap', () => {
    test('an unknown device: DEVICE_NOT_FOUND', async () => {
      resolves(tx.devices, 'lockForUpdate', undefined);
      await assert.rejects(service.scrap(DEVICE_ID, action, principal), { code: 'DEVICE_NOT_FOUND' });
    });

    for (const state of ['provisioned', 'quarantined', 'scrapped'] as const) {
      test(`a ${state} device: DEVICE_STATE_CONFLICT, nothing changed`, async () => {
        resolves(tx.devices, 'lockForUpdate', state);
        await assert.rejects(service.scrap(DEVICE_ID, action, principal), { code: 'DEVICE_STATE_CONFLICT' });
        assert.equal(callsOf(tx.devices, 'transition').length, 0);
        assert.equal(callsOf(tx.devices, 'eraseSealedKey').length, 0);
      });
    }

    test('a claimed device is scrapped, its sealed key erased in the same transaction, its job withdrawn', async () => {
      resolves(tx.devices, 'lockForUpdate', 'claimed');
      resolves(tx.devices, 'transition', true);
      resolves(tx.devices, 'eraseSealedKey', true);
      resolves(tx.devices, 'get', claimedDevice({ state: 'scrapped' }));
      resolves(tx.webhookOutbox, 'append', { sequence: 2, deliveries: 1 });
      resolves(jobs, 'withdraw', true);

      const view = await service.scrap(DEVICE_ID, action, principal);

      assert.equal(view.state, 'scrapped');
      assert.deepEqual(callsOf(tx.devices, 'transition')[0]?.slice(0, 2), [DEVICE_ID, 'scrap']);
      assert.deepEqual(callsOf(tx.devices, 'eraseSealedKey'), [[DEVICE_ID]]);
      assert.deepEqual(callsOf(jobs, 'withdraw'), [['line-a', DEVICE_ID]]);
      // device.failed is appended in the transaction of the scrap, with the admin's reason.
      const [[appended]] = callsOf(tx.webhookOutbox, 'append') as [Parameters<WebhookOutbox['append']>];
      const body = JSON.parse(appended.render(2)) as { data: Record<string, unknown> };
      assert.deepEqual(
        [appended.type, body.data['state'], body.data['fromState'], body.data['reason']],
        ['device.failed', 'scrapped', 'claimed', action.reason],
      );
    });

    test('a failed withdrawal does not fail the scrap', async () => {
      resolves(tx.devices, 'lockForUpdate', 'queued');
      resolves(tx.devices, 'transition', true);
      resolves(tx.devices, 'eraseSealedKey', false);
      resolves(tx.devices, 'get', deviceRecord({ state: 'scrapped' }));
      resolves(tx.webhookOutbox, 'append', { sequence: 1, deliveries: 0 });
      resolves(products, 'get', undefined);
      assert.equal((await service.scrap(DEVICE_ID, action, principal)).state, 'scrapped');
      assert.equal(callsOf(jobs, 'withdraw').length, 0);
    });
  });
});
