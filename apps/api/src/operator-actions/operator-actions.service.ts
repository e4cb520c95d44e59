import { Inject, Injectable, Logger } from '@nestjs/common';
import { assertTransition } from '#ingrain/contracts';
import type { Principal } from '../auth/principal.js';
import { toDeviceView } from '../device-requests/device-views.js';
import type { DeviceView, OperatorActionRequest } from '../device-requests/devices.schemas.js';
import { deviceNotFound } from '../device-requests/provisioning-errors.js';
import { JobQueue } from '../jobs/job-queue.js';
import { AttestationRepository } from '../repositories/attestation-repository.js';
import type { DeviceRecord } from '../repositories/device-records.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { Transactions } from '../repositories/transactions.js';
import { bytesWrittenReported } from '../results/report-records.js';
import { deviceFailedEvent } from '../webhooks/webhook-events.js';

/**
 * The admin's actions on a device (docs/api.md): release a claimed identity whose chip was lost
 * before any byte was written (back to `queued`, the old UID kept in the history, a job queued
 * again), or scrap an identity for good (queued or claimed; its sealed key erased, its job
 * withdrawn). Both take the device's row lock first, so no report slips in between the check and
 * the change.
 */
@Injectable()
export class OperatorActionsService {
  readonly #logger = new Logger(OperatorActionsService.name);

  constructor(
    @Inject(Transactions) private readonly transactions: Transactions,
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
    @Inject(ProductRepository) private readonly products: ProductRepository,
    @Inject(AttestationRepository) private readonly attestations: AttestationRepository,
    @Inject(JobQueue) private readonly jobs: JobQueue,
  ) {}

  /**
   * @throws AppError DEVICE_NOT_FOUND; ContractError DEVICE_STATE_CONFLICT (not claimed),
   *   DEVICE_RELEASE_REFUSED (a station reported bytes written to the chip: scrap it instead).
   */
  async release(deviceId: string, action: OperatorActionRequest, principal: Principal): Promise<DeviceView> {
    const device = await this.transactions.run(async ({ devices }) => {
      const state = await devices.lockForUpdate(deviceId);
      if (state === undefined) throw deviceNotFound(deviceId);
      assertTransition(state, 'release', {
        bytesWrittenReported: bytesWrittenReported(await devices.history(deviceId)),
      });
      await devices.transition(deviceId, 'release', operatorEvent('release', action, principal));
      return this.#reread(devices, deviceId);
    });
    await this.#requeue(device);
    return this.#view(device);
  }

  /** @throws AppError DEVICE_NOT_FOUND; ContractError DEVICE_STATE_CONFLICT (provisioned, quarantined, scrapped). */
  async scrap(deviceId: string, action: OperatorActionRequest, principal: Principal): Promise<DeviceView> {
    const device = await this.transactions.run(async ({ devices, webhookOutbox }) => {
      const state = await devices.lockForUpdate(deviceId);
      if (state === undefined) throw deviceNotFound(deviceId);
      assertTransition(state, 'scrap');
      await devices.transition(deviceId, 'scrap', operatorEvent('scrap', action, principal));
      // The identity is never used again: nothing may ever unseal its private key.
      await devices.eraseSealedKey(deviceId);
      const scrapped = await this.#reread(devices, deviceId);
      await webhookOutbox.append(deviceFailedEvent(scrapped, state, action.reason));
      return scrapped;
    });
    await this.#withdraw(device);
    return this.#view(device);
  }

  async #reread(devices: DeviceRepository, deviceId: string): Promise<DeviceRecord> {
    const device = await devices.get(deviceId);
    if (device === undefined) throw deviceNotFound(deviceId);
    return device;
  }

  /** After the commit: the released identity needs a job again (the reconciler retries a failure). */
  async #requeue(device: DeviceRecord): Promise<void> {
    try {
      const line = await this.#lineOf(device);
      await this.jobs.requeue({
        deviceId: device.id,
        productId: device.productId,
        layoutVersion: device.layoutVersion,
        line,
      });
    } catch (error) {
      this.#logger.warn(`job of released device ${device.id} not requeued (${codeOf(error)}): the reconciler will`);
    }
  }

  /** After the commit, best effort: a job left behind only earns a station a refused claim. */
  async #withdraw(device: DeviceRecord): Promise<void> {
    try {
      await this.jobs.withdraw(await this.#lineOf(device), device.id);
    } catch (error) {
      this.#logger.warn(`job of scrapped device ${device.id} not withdrawn (${codeOf(error)})`);
    }
  }

  async #lineOf(device: DeviceRecord): Promise<string> {
    const product = await this.products.get(device.productId);
    if (product === undefined) throw new Error(`product ${device.productId} of device ${device.id} is missing`);
    return product.line;
  }

  async #view(device: DeviceRecord): Promise<DeviceView> {
    const history = await this.devices.history(device.id);
    const attestation = await this.attestations.getByDevice(device.id);
    return toDeviceView(device, history, attestation?.leafIndex ?? null);
  }
}

function operatorEvent(action: 'release' | 'scrap', request: OperatorActionRequest, principal: Principal) {
  return { actor: principal.tokenId, reason: request.reason, details: { action, operator: principal.tokenName } };
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'FAILED';
}
