// Request and response models of POST /v1/work-orders/{id}/devices (docs/api.md, "Batches").
import { z } from 'zod';
import { requestModel, responseModel } from '../http/api-models.js';
import { DeviceSummary, RequestedSerial } from './devices.schemas.js';

/** Most devices one batch may request (a bigger order is split by the MES). */
export const MAX_BATCH_ITEMS = 1000;

export const DeviceBatchItem = z.strictObject({
  serial: RequestedSerial,
  inputs: z
    .record(z.string(), z.unknown())
    .default({})
    .describe("Values of the layout's input fields (GET /v1/products/{id}/layouts/{version}/inputs-schema)"),
});
export type DeviceBatchItem = z.output<typeof DeviceBatchItem>;

export const DeviceBatchRequest = requestModel(
  'DeviceBatchRequest',
  z
    .strictObject({
      items: z
        .array(DeviceBatchItem)
        .min(1)
        .max(MAX_BATCH_ITEMS, `at most ${MAX_BATCH_ITEMS} devices per batch: split the request`)
        .describe(`1-${MAX_BATCH_ITEMS} devices of the work order; item i is idempotent under "<Idempotency-Key>/i"`),
    })
    .describe('Devices of one work order, requested in one idempotent call'),
);
export type DeviceBatchRequest = z.output<typeof DeviceBatchRequest>;

const ItemError = z.object({
  code: z.string().describe('A code of docs/errors.md (e.g. VALUES_INVALID, WORK_ORDER_EXHAUSTED)'),
  detail: z.string(),
  errors: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .describe('Each field at fault, as body.items[i].…'),
});

export const DeviceBatchResult = z.object({
  index: z.int().min(0).describe('Position of the item in the request'),
  status: z
    .enum(['created', 'replayed', 'error'])
    .describe('created now; replayed (an earlier call with the same key made it); error (nothing stored)'),
  device: DeviceSummary.nullable().describe('The device (created or replayed); null for an error'),
  error: ItemError.nullable().describe('Why the item failed; null otherwise'),
});
export type DeviceBatchResult = z.output<typeof DeviceBatchResult>;

export const DeviceBatchResponse = responseModel(
  'DeviceBatchResponse',
  z
    .object({
      workOrderId: z.uuid(),
      created: z.int().min(0),
      replayed: z.int().min(0),
      failed: z.int().min(0),
      results: z.array(DeviceBatchResult).describe('One per item, in request order'),
    })
    .describe('The outcome of each item; resend the same call (same key, same body) to retry the failed ones'),
);
export type DeviceBatchResponse = z.output<typeof DeviceBatchResponse>;
