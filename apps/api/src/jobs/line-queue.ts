// Names and payload of the production-line queues (docs/api.md, "Jobs"). Shared by the API, which
// enqueues, and the station worker, which consumes and parses the payload at its edge.
import { z } from 'zod';
import { JobQueueError } from './errors.js';

/**
 * Prefix of a line's BullMQ queue name. docs/api.md once said `ingrain:line:<line>`, but BullMQ
 * refuses `:` in queue names (it separates the parts of its Redis keys), so the queue of line
 * `smt-1` is `ingrain-line-smt-1` (keys `bull:ingrain-line-smt-1:*`).
 */
export const LINE_QUEUE_PREFIX = 'ingrain-line-';

/** The name every provisioning job carries (one kind of job per line queue). */
export const PROVISION_JOB_NAME = 'provision';

/** A line id a queue can be named after: 1-64 of A-Z a-z 0-9 . _ - starting alphanumeric (no `:`). */
export const LINE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The BullMQ queue name of a production line.
 *
 * @throws JobQueueError `QUEUE_LINE_INVALID` for a line outside {@link LINE_PATTERN}.
 */
export function lineQueueName(line: string): string {
  if (!LINE_PATTERN.test(line)) {
    throw new JobQueueError('QUEUE_LINE_INVALID', 'a line must be 1-64 of A-Z a-z 0-9 . _ - starting alphanumeric');
  }
  return `${LINE_QUEUE_PREFIX}${line}`;
}

/**
 * The payload of a provisioning job: which identity to provision, nothing else. Never an image, a
 * secret or a key — the station gets those from the claim, over its authenticated connection.
 * Strict, so a consumer refuses a payload that grew a member it does not know.
 */
export const provisionJobPayloadSchema = z.strictObject({
  deviceId: z.uuid(),
  productId: z.string().min(1).max(64),
  layoutVersion: z.int().min(1),
});
export type ProvisionJobPayload = z.output<typeof provisionJobPayloadSchema>;

/** What the API enqueues: the payload and the line whose queue gets it. */
export interface LineJob extends ProvisionJobPayload {
  readonly line: string;
}
