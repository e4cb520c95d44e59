import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { lineQueueName, PROVISION_JOB_NAME, type ProvisionJobPayload } from '#ingrain/contracts';
import { pollUntil } from '../../../testkit/stack/index.js';

/** A line job as BullMQ holds it. */
export interface LineJob {
  /** completed, failed, delayed, waiting, active, … (`unknown` when the job is gone). */
  readonly state: string;
  readonly attemptsMade: number;
  readonly failedReason: string | undefined;
  /** What the station's processor returned (its JobResult), once completed. */
  readonly returnValue: unknown;
}

/** Reads (never changes) a job of `line`'s queue, straight from Redis. */
export async function readLineJob(redisUrl: string, line: string, jobId: string): Promise<LineJob> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(lineQueueName(line), { connection });
  try {
    // The state first, then the job's hash: read the other way round, a job completing in between
    // shows as `completed` with the return value of its active self (null).
    const state = await queue.getJobState(jobId);
    const job = await queue.getJob(jobId);
    if (job === undefined)
      return { state: 'unknown', attemptsMade: 0, failedReason: undefined, returnValue: undefined };
    const failedReason = typeof job.failedReason === 'string' ? job.failedReason : undefined;
    return {
      state,
      attemptsMade: job.attemptsMade,
      failedReason,
      returnValue: job.returnvalue as unknown,
    };
  } finally {
    await queue.close();
    await connection.quit().catch(() => connection.disconnect());
  }
}

/** Waits until the line job reached `state` (e.g. `completed`) and returns it. */
export function waitForLineJob(
  redisUrl: string,
  line: string,
  jobId: string,
  state: string,
  timeoutMs: number,
): Promise<LineJob> {
  return pollUntil(
    `job ${jobId} to be ${state}`,
    async () => {
      const job = await readLineJob(redisUrl, line, jobId);
      return job.state === state ? job : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/**
 * Puts a provisioning job for `payload.deviceId` on `line`'s queue under `jobId`, as a re-delivery
 * would (the API's own job for the device keeps its id, the device id).
 */
export async function addLineJob(redisUrl: string, line: string, jobId: string, payload: ProvisionJobPayload) {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(lineQueueName(line), { connection });
  try {
    await queue.add(PROVISION_JOB_NAME, payload, { jobId });
  } finally {
    await queue.close();
    await connection.quit().catch(() => connection.disconnect());
  }
}
