import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { LayoutCache } from '../catalogue/layout-cache.js';
import { AppError } from '../errors/app-error.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { automock, type Automocked, resolves } from '../testing/automock.js';
import { DEVICE_ID, deviceEvent, deviceRecord, resolvedLayout } from '../testing/fixtures.js';
import { QuarantineService } from './quarantine.service.js';

describe('QuarantineService', () => {
  let devices: Automocked<DeviceRepository>;
  let layouts: Automocked<LayoutCache>;
  let service: QuarantineService;

  beforeEach(() => {
    devices = automock(DeviceRepository);
    layouts = automock(LayoutCache);
    service = new QuarantineService(devices, layouts);
    resolves(layouts, 'get', resolvedLayout());
  });

  const codeOf = (error: unknown) => (error instanceof AppError ? error.code : String(error));

  test('a quarantined device: the recorded difference by field', async () => {
    const image = new Uint8Array(512).fill(0xff);
    image.set(new TextEncoder().encode('SN000001'), 0);
    resolves(devices, 'get', deviceRecord({ state: 'quarantined', imageData: image }));
    resolves(devices, 'history', [
      deviceEvent(),
      deviceEvent({
        fromState: 'claimed',
        toState: 'quarantined',
        reason: 'station-conflict',
        details: { diff: [{ region: 'data', offsetBytes: 2, expected: 0x30, actual: 0x39 }], omittedDiffs: 0 },
      }),
    ]);
    const view = await service.difference(DEVICE_ID);
    assert.equal(view.reason, 'station-conflict');
    assert.deepEqual(
      view.fields.map((field) => [field.name, field.status, field.targetValue, field.chipValue]),
      [['label', 'differs', 'SN000001', 'SN900001']],
    );
  });

  test('DEVICE_NOT_FOUND and DEVICE_NOT_QUARANTINED', async () => {
    resolves(devices, 'get', undefined);
    await assert.rejects(service.difference(DEVICE_ID), (error) => codeOf(error) === 'DEVICE_NOT_FOUND');
    resolves(devices, 'get', deviceRecord({ state: 'claimed' }));
    resolves(devices, 'history', [deviceEvent()]);
    await assert.rejects(service.difference(DEVICE_ID), (error) => codeOf(error) === 'DEVICE_NOT_QUARANTINED');
  });
});
