// Response model of GET /v1/devices/{id}/difference (docs/api.md, "Quarantine difference").
import { z } from 'zod';
import { responseModel } from '../http/api-models.js';

const fieldValue = z.union([z.string(), z.number(), z.boolean()]).nullable();

export const QuarantineDifferenceView = responseModel(
  'QuarantineDifference',
  z
    .object({
      deviceId: z.uuid(),
      serial: z.string(),
      productId: z.string(),
      layoutVersion: z.int(),
      reason: z.string().describe('The quarantine reason (station-conflict, readback-mismatch, …)'),
      quarantinedAt: z.iso.datetime(),
      identity: z
        .array(z.object({ what: z.string(), expected: z.string(), actual: z.string() }))
        .describe('chip-uid, family or product-id: the chip is not the one bound, or not of the layout'),
      fields: z
        .array(
          z.object({
            name: z.string(),
            type: z.string(),
            secret: z.boolean(),
            otpOffsetBytes: z.int(),
            sizeBytes: z.int(),
            status: z
              .enum(['same', 'differs', 'not-compared'])
              .describe('not-compared: a secret field (the station masks its bytes) or past a cut-short record'),
            differingBytes: z.int(),
            targetHex: z.string().nullable().describe('Null for secret fields'),
            targetValue: fieldValue,
            chipHex: z.string().nullable().describe('Null for secret fields and fields not compared'),
            chipValue: fieldValue,
          }),
        )
        .describe('Every layout field, in OTP order'),
      outsideFields: z
        .array(z.object({ offsetBytes: z.int(), target: z.int(), chip: z.int() }))
        .describe('Differing data bytes that belong to no field'),
      lockBytes: z
        .array(z.object({ block: z.int(), target: z.int(), chip: z.int() }))
        .describe('Differing lock bytes (0x00 locked, 0xFF unlocked)'),
      complete: z.boolean().describe('False when the recorded differences were cut short'),
      omittedDiffs: z.int(),
    })
    .describe("A quarantined chip against its target, by layout field (never a secret field's bytes)"),
);
export type QuarantineDifferenceView = z.output<typeof QuarantineDifferenceView>;
