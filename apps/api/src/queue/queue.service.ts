import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../errors/app-error.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { LineActivityRepository } from '../repositories/line-activity-repository.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { QueueInspector, type QueueJobRecord } from './queue-inspector.js';
import type { QueueJobList, QueueJobsQuery, QueueJobView } from './queue.schemas.js';
import { decideRetry, reasonCode } from './retry-policy.js';

/** The operator's view of the line queues: failed and stuck jobs, and the retry of a failed one. */
@Injectable()
export class QueueService {
  constructor(
    @Inject(QueueInspector) private readonly inspector: QueueInspector,
    @Inject(LineActivityRepository) private readonly activity: LineActivityRepository,
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
    @Inject(ProductRepository) private readonly products: ProductRepository,
  ) {}

  async list(query: QueueJobsQuery): Promise<QueueJobList> {
    const lines = await this.activity.lines();
    const before = new Date(Date.now() - query.olderThanSeconds * 1000);
    const perLine = await Promise.all(
      lines.map((line) =>
        query.state === 'failed' ? this.inspector.failed(line) : this.inspector.olderThan(line, before),
      ),
    );
    const jobs = await Promise.all(perLine.flat().map((job) => this.#view(job)));
    return { jobs, nextCursor: null };
  }

  /**
   * Runs a failed job again when {@link decideRetry} allows it.
   * @throws AppError QUEUE_JOB_NOT_FOUND; QUEUE_JOB_NOT_RETRYABLE (a final outcome, or not failed).
   */
  async retry(id: string): Promise<QueueJobView> {
    const device = await this.devices.get(id);
    const line = device === undefined ? undefined : (await this.products.get(device.productId))?.line;
    const job = line === undefined ? undefined : await this.inspector.find(line, id);
    if (device === undefined || line === undefined || job === undefined) {
      throw new AppError('QUEUE_JOB_NOT_FOUND', 'no job with this id in its line queue');
    }
    const decision = decideRetry(job.state, device.state, job.failedReason);
    if (!decision.retryable)
      throw new AppError('QUEUE_JOB_NOT_RETRYABLE', decision.retry, { extensions: { state: job.state } });
    await this.inspector.retry(line, id);
    return this.#view((await this.inspector.find(line, id)) ?? job);
  }

  async #view(job: QueueJobRecord): Promise<QueueJobView> {
    const device = job.deviceId === null ? undefined : await this.devices.get(job.deviceId);
    const decision = decideRetry(job.state, device?.state ?? null, job.failedReason);
    return {
      id: job.id,
      line: job.line,
      state: job.state,
      deviceId: job.deviceId,
      deviceState: device?.state ?? null,
      serial: device?.serial ?? null,
      attemptsMade: job.attemptsMade,
      reasonCode: reasonCode(job.failedReason),
      failedReason: job.failedReason,
      createdAt: job.createdAt.toISOString(),
      processedAt: job.processedAt?.toISOString() ?? null,
      finishedAt: job.finishedAt?.toISOString() ?? null,
      ...decision,
    };
  }
}
