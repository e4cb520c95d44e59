// The provisioning job (docs/api.md, "Jobs"): the API enqueues it on its line's BullMQ queue, the
// station worker consumes it and parses the payload at its edge. One declaration for both.
import { z } from 'zod';
import { ContractError } from './errors.js';

/**
 * Prefix of a line's BullMQ queue name. docs/api.md once said `ingrain:line:<line>`, but BullMQ
 * refuses `:` in queue names (it separates the parts of its Redis keys). The name is hash-tagged
 * (in braces) so that every key of one queue hashes to one slot on a Redis Cluster: the queue of
 * line `smt-1` is `{ingrain-line-smt-1}` (keys `bull:{ingrain-line-smt-1}:*`); lines spread over slots.
 */
export const LINE_QUEUE_PREFIX = 'ingrain-line-';

/** The name every provisioning job carries (one kind of job per line queue). */
export const PROVISION_JOB_NAME = 'provision';

/** A line id a queue can be named after: 1-64 of A-Z a-z 0-9 . _ - starting alphanumeric (no `:`). */
export const LINE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The BullMQ queue name of a production line.
 *
 * @throws ContractError `JOB_LINE_INVALID` for a line outside {@link LINE_PATTERN}.
 */
export function lineQueueName(line: string): string {
  if (!LINE_PATTERN.test(line)) {
    throw new ContractError('JOB_LINE_INVALID', 'a line must be 1-64 of A-Z a-z 0-9 . _ - starting alphanumeric');
  }
  return `{${LINE_QUEUE_PREFIX}${line}}`;
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

/**
 * Parses a dequeued job's data.
 *
 * @throws ContractError `JOB_PAYLOAD_INVALID` naming the members at fault (`(payload)` for the
 *   payload as a whole, e.g. an unknown member), never their values; one issue per problem.
 */
export function parseProvisionJobPayload(data: unknown): ProvisionJobPayload {
  const parsed = provisionJobPayloadSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(payload)',
    message: issue.message,
  }));
  const paths = [...new Set(issues.map((issue) => issue.path))];
  throw new ContractError('JOB_PAYLOAD_INVALID', `the job payload is invalid at: ${paths.join(', ')}`, { issues });
}
