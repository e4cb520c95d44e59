import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ProvisioningMetrics } from '../metrics/provisioning-metrics.js';
import type { DeviceRecord } from '../repositories/device-records.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { JobQueue } from './job-queue.js';

/** Queued devices read per page. */
const PAGE_SIZE = 500;
/** A full pass every 5 minutes heals jobs lost to a Redis outage or restart without persistence. */
export const RECONCILE_INTERVAL_MS = 5 * 60_000;

export interface ReconcileSummary {
  readonly checked: number;
  readonly added: number;
}

/**
 * Makes sure every `queued` device has a job. A device is committed before its job is enqueued (a
 * job must never name an uncommitted device), so a crash, a Redis outage or a lost connection
 * between the two leaves a queued device without a job; so can a Redis restart without
 * persistence, or a failed requeue after a release. The reconciler finds them and enqueues them
 * (job id = device id: never a duplicate). It runs once at start-up, in the background, then every
 * {@link RECONCILE_INTERVAL_MS}. It re-reads a device before adding its job, so a device claimed in
 * the meantime gets none; should one slip through, the station's claim is refused (the claim is
 * the fence).
 */
@Injectable()
export class JobReconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly #logger = new Logger(JobReconciler.name);
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = false;

  constructor(
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
    @Inject(ProductRepository) private readonly products: ProductRepository,
    @Inject(JobQueue) private readonly jobs: JobQueue,
    @Inject(ProvisioningMetrics) private readonly metrics: ProvisioningMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.#runInBackground();
    this.#timer = setInterval(() => this.#runInBackground(), RECONCILE_INTERVAL_MS);
    this.#timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
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
    if (this.#stopped || this.#running !== undefined) return;
    this.#running = this.reconcile()
      .catch((error: unknown) => {
        const code = (error as { code?: unknown } | null)?.code;
        const shown = typeof code === 'string' ? code : 'FAILED';
        this.#logger.warn(`job reconciliation failed (${shown}); retrying on the next pass`);
      })
      .finally(() => (this.#running = undefined));
  }
}
