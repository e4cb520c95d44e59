import { randomBytes, randomUUID } from 'node:crypto';
import { expectData, type components, type IngrainClient } from '#ingrain/api-client';
import { pollUntil } from './child-process.js';

export type WorkOrderCounts = components['schemas']['WorkOrderCounts'];

/** The MES's inputs of the sample layout for device number `index` (calibration values vary per unit). */
export function sampleInputs(serial: string, index: number): Record<string, unknown> {
  const mac = randomBytes(3).toString('hex').match(/../g)?.join(':') ?? '00:00:00';
  return {
    serial,
    manufactured_at: Math.floor(Date.now() / 1000),
    gain: Number((1 + ((index % 50) - 25) / 2000).toFixed(4)),
    offset_mv: offsetMillivolts(index),
    temp_coeff_ppm: 35.5,
    calibrated: true,
    device_uuid: randomUUID(),
    radio_mac: `02:1a:2b:${mac}`,
  };
}

/**
 * A calibration offset from -20 to 19 mV, never -1: an i16 of -1 encodes as 0xFFFF, which reads as
 * blank OTP, so the layout refuses it (VALUES_INVALID) — as it would refuse a real MES's value.
 */
function offsetMillivolts(index: number): number {
  const value = (index % 40) - 20;
  return value === -1 ? 0 : value;
}

export interface OrderedDevices {
  readonly workOrderId: string;
  readonly deviceIds: readonly string[];
}

/**
 * Does what an MES does: opens a work order for `quantity` devices and asks for each one (serial,
 * calibration inputs, an Idempotency-Key so that a retried request never makes a second identity),
 * `concurrency` requests at a time.
 */
export async function orderDevices(
  mes: IngrainClient,
  options: {
    productId: string;
    quantity: number;
    serialPrefix: string;
    concurrency?: number;
    /** The inputs of device number `index` (with its serial). Default {@link sampleInputs} (the sample layout's). */
    inputs?: (serial: string, index: number) => Record<string, unknown>;
  },
): Promise<OrderedDevices> {
  const order = expectData(
    await mes.POST('/v1/work-orders', { body: { productId: options.productId, quantity: options.quantity } }),
  );
  const deviceIds: string[] = new Array<string>(options.quantity);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < options.quantity; index = next++) {
      const serial = `${options.serialPrefix}${String(index + 1).padStart(6, '0')}`;
      const body = { workOrderId: order.id, serial, inputs: (options.inputs ?? sampleInputs)(serial, index) };
      const headers = { 'Idempotency-Key': randomUUID() };
      deviceIds[index] = expectData(await mes.POST('/v1/devices', { params: { header: headers }, body })).id;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return { workOrderId: order.id, deviceIds };
}

/** The work order's counts once no device is queued or claimed any more (every one ended). */
export function waitForWorkOrder(
  mes: IngrainClient,
  workOrderId: string,
  options: { timeoutMs: number; onProgress?: (counts: WorkOrderCounts) => void },
): Promise<WorkOrderCounts> {
  return pollUntil(
    `work order ${workOrderId} to finish`,
    async () => {
      const { counts } = expectData(await mes.GET('/v1/work-orders/{id}', { params: { path: { id: workOrderId } } }));
      options.onProgress?.(counts);
      return counts.issued === counts.planned && counts.queued + counts.claimed === 0 ? counts : undefined;
    },
    { timeoutMs: options.timeoutMs, intervalMs: 250 },
  );
}
