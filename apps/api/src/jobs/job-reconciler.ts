import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import { ProvisioningMetrics } from '../metrics/provisioning-metrics.js';
import type { DeviceRecord } from '../repositories/device-records.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { JobQueue } from './job-queue.js';

/** Queued devices read per page. */
const PAGE_SIZE = 500;
/** A full pass every 5 minutes heals whatever the passes on reconnection missed. */
export const RECONCILE_INTERVAL_MS = 5 * 60_000;
/** After a failed pass while Redis is connected (e.g. the database was busy), retry this soon. */
export const RETRY_AFTER_FAILURE_MS = 2_000;
/** Retries of a pass that Redis's return asked for, before the periodic pass takes over. */
const MAX_RETRIES = 15;

export interface ReconcileSummary {
  readonly checked: number;
  readonly added: number;
}

/**
 * Makes sure every `queued` device has a job. A device is committed before its job is enqueued (a
 * job must never name an uncommitted device), so a crash, a Redis outage or a lost connection
 * between the two leaves a queued device without a job; so can a Redis restart without
 * persistence, or a failed requeue after a release. The reconciler finds them and enqueues them
 * (job id = device id: never a duplicate). It runs once at start-up, in the background, as soon as
 * the Redis connection is ready again after having been lost (a Redis restart without persistence
 * loses every waiting job: the queued devices must not wait for the next periodic pass), and every
 * {@link RECONCILE_INTERVAL_MS}. A pass asked for while one runs runs right after it; a pass asked
 * for by Redis's return that fails is retried every {@link RETRY_AFTER_FAILURE_MS} while Redis is
 * up. It re-reads a device before adding its job, so a device claimed in the meantime gets none;
 * should one slip through, the station's claim is refused (the claim is the fence).
 */
@Injectable()
export class JobReconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly #logger = new Logger(JobReconciler.name);
  #timer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  /** Retries left for the pass Redis's return asked for; 0 when none is owed. */
  #retriesLeft = 0;
  #again = false;
  #redisLost = false;
  #stopped = false;
  readonly #onRedisLost = () => (this.#redisLost = true);
  readonly #onRedisReady = () => {
    if (!this.#redisLost) return;
    this.#redisLost = false;
    this.#logger.log('Redis is back: reconciling queued devices now');
    this.#retriesLeft = MAX_RETRIES;
    this.#runInBackground();
  };

  constructor(
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
    @Inject(ProductRepository) private readonly products: ProductRepository,
    @Inject(JobQueue) private readonly jobs: JobQueue,
    @Inject(ProvisioningMetrics) private readonly metrics: ProvisioningMetrics,
    @Inject(Redis) private readonly redis: Pick<Redis, 'on' | 'off' | 'status'>,
  ) {}

  onApplicationBootstrap(): void {
    // 'close' follows every lost connection and every failed attempt; 'ready' a usable one.
    this.redis.on('close', this.#onRedisLost);
    this.redis.on('ready', this.#onRedisReady);
    // Connecting at start-up counts as coming back: the start-up pass may run before Redis is up.
    if (this.redis.status !== 'ready') this.#redisLost = true;
    this.#runInBackground();
    this.#timer = setInterval(() => this.#runInBackground(), RECONCILE_INTERVAL_MS);
    this.#timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.#stopped = true;
    this.redis.off('close', this.#onRedisLost);
    this.redis.off('ready', this.#onRedisReady);
    clearInterval(this.#timer);
    clearTimeout(this.#retryTimer);
    await this.#running?.catch(() => undefined);
  }

  /** One full pass over the queued devices; returns how many it checked and how many jobs it added. */
  async reconcile(): Promise<ReconcileSummary> {
    const lines = await this.#linesByProduct();
    for (const line of new Set(lines.values())) this.jobs.track(line);
    let checked = 0;
    let added = 0;
    for (let offset = 0; !this.#stopped; offset += PAGE_SIZE) {
      const page = await this.devices.search({ state: 'queued' }, { limit: PAGE_SIZE, offset });
      for (const device of page) {
        checked += 1;
        if (await this.#ensureJob(device, lines)) added += 1;
      }
      if (page.length < PAGE_SIZE) break;
    }
    if (added > 0) this.#logger.warn(`enqueued ${added} job(s) missing for queued devices`);
    this.metrics.jobsReconciled.inc(added);
    return { checked, added };
  }

  async #ensureJob(device: DeviceRecord, lines: ReadonlyMap<string, string>): Promise<boolean> {
    const line = lines.get(device.productId);
    if (line === undefined || (await this.jobs.hasPendingJob(line, device.id))) return false;
    const fresh = await this.devices.get(device.id);
    if (fresh?.state !== 'queued') return false;
    const job = { deviceId: device.id, productId: device.productId, layoutVersion: device.layoutVersion, line };
    return (await this.jobs.requeue(job)) === 'added';
  }

  async #linesByProduct(): Promise<Map<string, string>> {
    const products = await this.products.list();
    return new Map(products.map((product) => [product.id, product.line]));
  }

  #runInBackground(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#again = true; // it may have started before Redis came back: run once more after it
      return;
    }
    clearTimeout(this.#retryTimer);
    this.#running = this.reconcile()
      .then(
        () => (this.#retriesLeft = 0),
        (error: unknown) => this.#failed(error),
      )
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.#runInBackground();
        }
      });
  }

  #failed(error: unknown): void {
    const code = (error as { code?: unknown } | null)?.code;
    const shown = typeof code === 'string' ? code : 'FAILED';
    // Redis down: its return ('ready') asks for the next pass. Up: retry soon, a few times.
    if (this.redis.status === 'ready' && this.#retriesLeft > 0) {
      this.#retriesLeft -= 1;
      this.#logger.warn(`job reconciliation failed (${shown}); retrying in ${RETRY_AFTER_FAILURE_MS} ms`);
      this.#retryTimer = setTimeout(() => this.#runInBackground(), RETRY_AFTER_FAILURE_MS);
      this.#retryTimer.unref();
      return;
    }
    if (this.redis.status !== 'ready') this.#redisLost = true;
    this.#logger.warn(`job reconciliation failed (${shown}); retrying when Redis is back or on the next pass`);
  }
}
