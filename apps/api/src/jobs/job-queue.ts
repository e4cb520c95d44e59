import { PROVISION_JOB_NAME, type ProvisionJobPayload } from '#ingrain/contracts';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { HealthRegistry } from '../health/health-registry.js';
import { Metrics } from '../metrics/metrics.js';
import { JobQueueError } from './errors.js';
import { PROVISION_JOB_OPTIONS } from './job-options.js';
import { lineQueueName, type LineJob } from './line-queue.js';

/** Longest an enqueue waits for Redis before giving up (the reconciler enqueues it later). */
const ENQUEUE_TIMEOUT_MS = 2_000;
/** How often the queue-depth gauge is refreshed (it is a snapshot, not a counter). */
const DEPTH_REFRESH_MS = 15_000;
/** Job states reported by the ingrain_queue_jobs gauge. */
const DEPTH_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;
/** States in which a job still has work ahead of it: a requeue leaves it alone. */
const PENDING_STATES: ReadonlySet<string> = new Set([
  'waiting',
  'prioritized',
  'active',
  'delayed',
  'waiting-children',
]);

export type QueueDepth = Readonly<Record<(typeof DEPTH_STATES)[number], number>>;

function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new JobQueueError('QUEUE_UNAVAILABLE', `${what}: Redis did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function queueFailure(error: unknown, what: string): JobQueueError {
  if (error instanceof JobQueueError) return error;
  return new JobQueueError('QUEUE_UNAVAILABLE', `${what} failed: the job queue is unavailable`, { cause: error });
}

/**
 * The production-line job queues (BullMQ on the API's Redis connection): one queue per line
 * (`{ingrain-line-<line>}`, hash-tagged for Redis Cluster), job id = device id, payload `{ deviceId, productId, layoutVersion }`.
 * An adapter: it decides nothing about devices. Call it only after the database transaction that
 * made the device `queued` has committed — a job must never name an uncommitted device.
 */
@Injectable()
export class JobQueue implements OnModuleInit, OnApplicationShutdown {
  readonly #logger = new Logger(JobQueue.name);
  readonly #queues = new Map<string, Queue>();
  #depthTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(Redis) private readonly redis: Redis,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.health.register('jobs', () => this.checkReady());
    this.#depthTimer = setInterval(() => void this.refreshDepth().catch(() => undefined), DEPTH_REFRESH_MS);
    this.#depthTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.#depthTimer);
    // The connection is the API's (shared): closing a queue leaves it open for the others.
    await Promise.allSettled([...this.#queues.values()].map((queue) => queue.close()));
    this.#queues.clear();
  }

  /**
   * Adds the job of a device just committed as `queued`. Idempotent: a job with this id that
   * still exists (in any state) is left as it is, so a retried request never makes a second job.
   *
   * @throws JobQueueError `QUEUE_LINE_INVALID`; `QUEUE_UNAVAILABLE` when Redis does not take it
   *   within 2 s (the add may still land later; either way the reconciler makes sure it exists).
   */
  async enqueue(job: LineJob): Promise<void> {
    const queue = this.queue(job.line);
    try {
      await withTimeout(
        queue.add(PROVISION_JOB_NAME, payloadOf(job), { ...PROVISION_JOB_OPTIONS, jobId: job.deviceId }),
        ENQUEUE_TIMEOUT_MS,
        'enqueue',
      );
    } catch (error) {
      throw queueFailure(error, 'enqueue');
    }
  }

  /**
   * {@link enqueue} for many devices of one line at once: one Redis round trip (BullMQ addBulk, a
   * pipeline of the same idempotent add per job) instead of one per job.
   *
   * @throws JobQueueError as {@link enqueue}; some of the jobs may have been added then.
   */
  async enqueueMany(line: string, jobs: readonly LineJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const queue = this.queue(line);
    const bulk = jobs.map((job) => {
      if (job.line !== line) throw new TypeError('enqueueMany: every job must be of the given line');
      return {
        name: PROVISION_JOB_NAME,
        data: payloadOf(job),
        opts: { ...PROVISION_JOB_OPTIONS, jobId: job.deviceId },
      };
    });
    try {
      await withTimeout(queue.addBulk(bulk), ENQUEUE_TIMEOUT_MS, 'enqueue');
    } catch (error) {
      throw queueFailure(error, 'enqueue');
    }
  }

  /**
   * Makes sure a device that is `queued` again (released, or found without a job) has a job with
   * work ahead of it: a pending job (waiting, delayed, active) is kept; a finished one (completed or
   * failed) is removed and added anew; a missing one is added. Returns what it did.
   *
   * @throws JobQueueError as {@link enqueue}.
   */
  async requeue(job: LineJob): Promise<'pending' | 'added'> {
    const queue = this.queue(job.line);
    try {
      return await withTimeout(this.#requeue(queue, job), ENQUEUE_TIMEOUT_MS, 'requeue');
    } catch (error) {
      throw queueFailure(error, 'requeue');
    }
  }

  async #requeue(queue: Queue, job: LineJob): Promise<'pending' | 'added'> {
    const state = await queue.getJobState(job.deviceId);
    if (PENDING_STATES.has(state)) return 'pending';
    if (state !== 'unknown') await queue.remove(job.deviceId);
    await queue.add(PROVISION_JOB_NAME, payloadOf(job), { ...PROVISION_JOB_OPTIONS, jobId: job.deviceId });
    return 'added';
  }

  /**
   * Removes the job of a device that will never be provisioned (scrapped) unless a station is
   * running it (an active job is locked; the station's claim is refused anyway). True if removed.
   * Best effort: a job left behind only costs the station one refused claim.
   *
   * @throws JobQueueError `QUEUE_LINE_INVALID`, `QUEUE_UNAVAILABLE`.
   */
  async withdraw(line: string, deviceId: string): Promise<boolean> {
    const queue = this.queue(line);
    try {
      return (await withTimeout(queue.remove(deviceId), ENQUEUE_TIMEOUT_MS, 'withdraw')) === 1;
    } catch (error) {
      throw queueFailure(error, 'withdraw');
    }
  }

  /** True when the device's job exists with work ahead of it (waiting, delayed, active…). */
  async hasPendingJob(line: string, deviceId: string): Promise<boolean> {
    const queue = this.queue(line);
    try {
      return PENDING_STATES.has(await withTimeout(queue.getJobState(deviceId), ENQUEUE_TIMEOUT_MS, 'job state'));
    } catch (error) {
      throw queueFailure(error, 'job state');
    }
  }

  /** The job of a device as stored in Redis (payload and state), if any; for tests and tooling. */
  async inspect(line: string, deviceId: string): Promise<{ state: string; data: unknown } | undefined> {
    const queue = this.queue(line);
    const job = await queue.getJob(deviceId);
    if (job === undefined) return undefined;
    return { state: await queue.getJobState(deviceId), data: job.data };
  }

  /** Jobs of one line by state; also sets the ingrain_queue_jobs gauge for it. */
  async depth(line: string): Promise<QueueDepth> {
    const counts = await this.queue(line).getJobCounts(...DEPTH_STATES);
    const depth = Object.fromEntries(DEPTH_STATES.map((state) => [state, counts[state] ?? 0])) as QueueDepth;
    for (const state of DEPTH_STATES) this.metrics.queueDepth.set({ line, state }, depth[state]);
    return depth;
  }

  /** Starts reporting the depth of a line's queue (lines this process has not enqueued to yet). */
  track(line: string): void {
    this.queue(line);
  }

  /** Refreshes the depth gauge of every line known to this process. */
  async refreshDepth(): Promise<void> {
    await Promise.all([...this.#queues.keys()].map((line) => this.depth(line)));
  }

  /** Readiness: Redis answers BullMQ's own commands on every known queue (a PING without any). */
  private async checkReady(): Promise<void> {
    if (this.#queues.size === 0) {
      await this.redis.ping();
      return;
    }
    await Promise.all([...this.#queues.values()].map((queue) => queue.getJobCounts('waiting')));
  }

  private queue(line: string): Queue {
    let queue = this.#queues.get(line);
    if (queue === undefined) {
      queue = new Queue(lineQueueName(line), { connection: this.redis });
      queue.on('error', (error: Error) => this.#logger.warn(`queue of line ${line}: ${error.message}`));
      this.#queues.set(line, queue);
    }
    return queue;
  }
}

function payloadOf(job: LineJob): ProvisionJobPayload {
  return { deviceId: job.deviceId, productId: job.productId, layoutVersion: job.layoutVersion };
}
