// The production-line queues as the API uses them (docs/api.md, "Jobs"). The queue names and the
// payload are the shared contract of libs/contracts (the station worker consumes the same); the
// API adds what it enqueues and reports a bad line as its job queue's QUEUE_LINE_INVALID.
import { ContractError, lineQueueName as contractLineQueueName, type ProvisionJobPayload } from '#ingrain/contracts';
import { JobQueueError } from './errors.js';

/**
 * The BullMQ queue name of a production line.
 *
 * @throws JobQueueError `QUEUE_LINE_INVALID` for a line outside the contract's LINE_PATTERN.
 */
export function lineQueueName(line: string): string {
  try {
    return contractLineQueueName(line);
  } catch (error) {
    if (error instanceof ContractError) throw new JobQueueError('QUEUE_LINE_INVALID', error.message, { cause: error });
    throw error;
  }
}

/** What the API enqueues: the payload and the line whose queue gets it. */
export interface LineJob extends ProvisionJobPayload {
  readonly line: string;
}
