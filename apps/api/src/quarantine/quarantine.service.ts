import { Inject, Injectable } from '@nestjs/common';
import { LayoutCache } from '../catalogue/layout-cache.js';
import { deviceNotFound } from '../device-requests/provisioning-errors.js';
import { AppError } from '../errors/app-error.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { recordedQuarantine } from '../results/report-records.js';
import { fieldDifferences } from './field-difference.js';
import type { QuarantineDifferenceView } from './quarantine.schemas.js';

/** What the quarantine bin shows (admin, auditor): a quarantined chip against its target, by field. */
@Injectable()
export class QuarantineService {
  constructor(
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
    @Inject(LayoutCache) private readonly layouts: LayoutCache,
  ) {}

  /** @throws AppError DEVICE_NOT_FOUND, DEVICE_NOT_QUARANTINED. */
  async difference(deviceId: string): Promise<QuarantineDifferenceView> {
    const device = await this.devices.get(deviceId);
    if (device === undefined) throw deviceNotFound(deviceId);
    const history = await this.devices.history(deviceId);
    const recorded = recordedQuarantine(history);
    const event = history.findLast((entry) => entry.toState === 'quarantined');
    if (device.state !== 'quarantined' || recorded === undefined || event === undefined) {
      throw new AppError('DEVICE_NOT_QUARANTINED', `device ${deviceId} is ${device.state}, not quarantined`);
    }
    const { layout } = await this.layouts.get(device.productId, device.layoutVersion);
    return {
      deviceId: device.id,
      serial: device.serial,
      productId: device.productId,
      layoutVersion: device.layoutVersion,
      reason: recorded.reason,
      quarantinedAt: event.at.toISOString(),
      ...fieldDifferences(layout, device.imageData, recorded),
    };
  }
}
