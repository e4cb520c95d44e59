import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { lineQueueName } from '../jobs/line-queue.js';

/** A job as the console's Queue page shows it (never its return value: only ids and reasons). */
export interface QueueJobRecord {
  readonly id: string;
  readonly line: string;
  readonly state: string;
  readonly deviceId: string | null;
  readonly attemptsMade: number;
  readonly failedReason: string | null;
  readonly createdAt: Date;
  readonly processedAt: Date | null;
  readonly finishedAt: Date | null;
}

const MAX_LISTED = 500;

/**
 * Reads and retries the line queues' jobs (BullMQ) for the operator: an adapter, no policy (the
 * queue service decides what may be retried). Its own Queue objects on the API's Redis connection.
 */
@Injectable()
export class QueueInspector implements OnApplicationShutdown {
  readonly #logger = new Logger('QueueInspector');
  readonly #queues = new Map<string, Queue>();

  constructor(@Inject(Redis) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.#queues.values()].map((queue) => queue.close()));
    this.#queues.clear();
  }

  /** Failed jobs of `line`, newest first (at most 500). */
  async failed(line: string): Promise<QueueJobRecord[]> {
    const jobs = await this.#queue(line).getJobs(['failed'], 0, MAX_LISTED - 1, false);
    return jobs.map((job) => record(job, line, 'failed'));
  }

  /** Jobs of `line` waiting, delayed or active since before `before` (oldest first). */
  async olderThan(line: string, before: Date): Promise<QueueJobRecord[]> {
    const queue = this.#queue(line);
    const found: QueueJobRecord[] = [];
    for (const state of ['active', 'waiting', 'delayed', 'prioritized'] as const) {
      const jobs = await queue.getJobs([state], 0, MAX_LISTED - 1, true);
      for (const job of jobs) {
        const since = state === 'active' ? (job.processedOn ?? job.timestamp) : job.timestamp;
        if (since < before.getTime()) found.push(record(job, line, state));
      }
    }
    return found;
  }

  /** The job `id` of `line` with its state; undefined when none. */
  async find(line: string, id: string): Promise<QueueJobRecord | undefined> {
    const queue = this.#queue(line);
    const job = await queue.getJob(id);
    if (job === undefined) return undefined;
    return record(job, line, await queue.getJobState(id));
  }

  /** Moves a failed job back to waiting, its attempts reset (BullMQ's Job.retry). */
  async retry(line: string, id: string): Promise<void> {
    const job = await this.#queue(line).getJob(id);
    if (job === undefined) throw new Error(`job ${id} vanished`);
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  }

  #queue(line: string): Queue {
    let queue = this.#queues.get(line);
    if (queue === undefined) {
      queue = new Queue(lineQueueName(line), { connection: this.redis });
      queue.on('error', (error: Error) => this.#logger.warn(`queue of line ${line}: ${error.message}`));
      this.#queues.set(line, queue);
    }
    return queue;
  }
}

function record(job: Job, line: string, state: string): QueueJobRecord {
  const data = job.data as { deviceId?: unknown } | undefined;
  return {
    id: job.id ?? '',
    line,
    state,
    deviceId: typeof data?.deviceId === 'string' ? data.deviceId : null,
    attemptsMade: job.attemptsMade,
    failedReason: job.failedReason === undefined || job.failedReason === '' ? null : job.failedReason,
    createdAt: new Date(job.timestamp),
    processedAt: job.processedOn === undefined ? null : new Date(job.processedOn),
    finishedAt: job.finishedOn === undefined ? null : new Date(job.finishedOn),
  };
}
