import { createHash } from 'node:crypto';
import { expectData, IngrainApiError, type IngrainClient } from '#ingrain/api-client';
import { sampleInputs } from '../testkit/stack/index.js';

/** Between two attempts of a request the API did not answer (it may be down for a few seconds). */
const RETRY_AFTER_MS = 250;

/** A device the MES asked for: its request (kept for retries) and, once answered, its id. */
export interface OrderedDevice {
  readonly serial: string;
  readonly idempotencyKey: string;
  deviceId: string | undefined;
  /** Why the last attempt failed, while it has no id. */
  lastError: string | undefined;
}

/**
 * Does what an MES does while the API comes and goes: retries every request until it is answered,
 * each device with the same body and Idempotency-Key, so a request that reached the API before it
 * died returns the device made then instead of a second identity.
 */
export class ChaosMes {
  readonly devices: OrderedDevice[] = [];
  #workOrderId: string | undefined;

  constructor(
    private readonly mes: IngrainClient,
    private readonly productId: string,
    private readonly serialPrefix: string,
  ) {}

  get workOrderId(): string {
    if (this.#workOrderId === undefined) throw new Error('no work order yet');
    return this.#workOrderId;
  }

  /** Opens the work order (before any fault). */
  async open(quantity: number): Promise<void> {
    const body = { productId: this.productId, quantity };
    this.#workOrderId = expectData(await this.mes.POST('/v1/work-orders', { body })).id;
  }

  /** Asks for device number `index` (0-based) until the API answers with its id, or until `deadline`. */
  async order(index: number, deadline: number): Promise<void> {
    const serial = `${this.serialPrefix}${String(index + 1).padStart(6, '0')}`;
    const idempotencyKey = uuidFrom(`${this.serialPrefix}${index}`);
    const device: OrderedDevice = { serial, idempotencyKey, deviceId: undefined, lastError: undefined };
    this.devices.push(device);
    const body = { workOrderId: this.workOrderId, serial, inputs: sampleInputs(serial, index) };
    while (device.deviceId === undefined && Date.now() < deadline) {
      try {
        const answer = await this.mes.POST('/v1/devices', {
          params: { header: { 'Idempotency-Key': idempotencyKey } },
          body,
        });
        device.deviceId = expectData(answer).id;
      } catch (error) {
        device.lastError = describe(error);
        if (error instanceof IngrainApiError && error.problem.status < 500 && error.problem.status !== 429) return;
        await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
      }
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof IngrainApiError) return `${error.problem.status} ${error.problem.code}`;
  return error instanceof Error ? error.message : String(error);
}

/** A stable UUID-shaped key from `text` (the run's seed is in the prefix: a rerun gets new keys). */
function uuidFrom(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
