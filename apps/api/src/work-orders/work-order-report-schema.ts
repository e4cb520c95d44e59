// The v1 work-order report as a schema, for verifiers: strict, every member required.
import { z } from 'zod';

const count = z.int().min(0);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'must be RFC 3339 UTC with milliseconds');

export const workOrderReportSchema = z.strictObject({
  formatVersion: z.literal(1),
  workOrderId: z.string().min(1),
  productId: z.string().min(1),
  layout: z.strictObject({ version: z.int().min(1), digestSha256: sha256Hex }),
  createdAt: instant,
  closedAt: instant,
  closedBy: z.string().min(1),
  counts: z.strictObject({
    planned: count,
    issued: count,
    provisioned: count,
    quarantined: count,
    scrapped: count,
    failed: count,
    unfinished: count,
  }),
  devices: z.strictObject({ count, listSha256: sha256Hex }),
  log: z.strictObject({ treeSize: count, rootHashSha256: sha256Hex }).nullable(),
});
