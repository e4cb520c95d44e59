import { z } from 'zod';
import { StationError } from './errors.js';

/** Prefix of a line's BullMQ queue (docs/api.md, "Jobs"; BullMQ refuses `:` in queue names). */
export const LINE_QUEUE_PREFIX = 'ingrain-line-';

/** The BullMQ queue of a production line (the line is validated by the worker's config). */
export function lineQueueName(line: string): string {
  return `${LINE_QUEUE_PREFIX}${line}`;
}

/**
 * A provisioning job's payload (docs/api.md, "Jobs"): which identity to provision, nothing else.
 * The API's apps/api/src/jobs/line-queue.ts holds the producer's copy; apps do not import each
 * other, so the consumer states the same contract here. Strict: an unknown member is refused.
 */
const provisionJobPayloadSchema = z.strictObject({
  deviceId: z.uuid(),
  productId: z.string().min(1).max(64),
  layoutVersion: z.int().min(1),
});
export type ProvisionJobPayload = z.output<typeof provisionJobPayloadSchema>;

/**
 * Parses a dequeued job's data.
 * @throws StationError `STATION_JOB_INVALID` naming the members at fault (never their values).
 */
export function parseJobPayload(data: unknown): ProvisionJobPayload {
  const parsed = provisionJobPayloadSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const paths = parsed.error.issues.map((issue) => issue.path.map(String).join('.') || '(payload)');
  throw new StationError('STATION_JOB_INVALID', `the job payload is invalid at: ${[...new Set(paths)].join(', ')}`);
}
