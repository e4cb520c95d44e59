import type { Logger } from '@nestjs/common';
import type { JobQueue } from '../jobs/job-queue.js';
import type { ProvisioningMetrics } from '../metrics/provisioning-metrics.js';
import type { DeviceRecord } from '../repositories/device-records.js';

/**
 * Enqueues (or, for a replayed request, re-enqueues) a stored device's job after its commit. A
 * queue failure is counted and logged, never thrown: the device is stored `queued`, and the job
 * reconciler adds its job when Redis is back.
 */
export async function enqueueAfterCommit(
  deps: { readonly jobs: JobQueue; readonly metrics: ProvisioningMetrics; readonly logger: Logger },
  device: DeviceRecord,
  line: string,
  requeue = false,
): Promise<void> {
  const job = { deviceId: device.id, productId: device.productId, layoutVersion: device.layoutVersion, line };
  try {
    if (requeue) await deps.jobs.requeue(job);
    else await deps.jobs.enqueue(job);
  } catch (error) {
    deps.metrics.enqueueFailures.inc();
    const code = (error as { code?: unknown } | null)?.code;
    const shown = typeof code === 'string' ? code : 'FAILED';
    deps.logger.warn(`job of device ${device.id} not enqueued (${shown}): the reconciler will add it`);
  }
}

/**
 * {@link enqueueAfterCommit} for devices of one line stored in one transaction: their jobs in one
 * Redis round trip. A failure is counted for each device and logged once, never thrown.
 */
export async function enqueueManyAfterCommit(
  deps: { readonly jobs: JobQueue; readonly metrics: ProvisioningMetrics; readonly logger: Logger },
  devices: readonly DeviceRecord[],
  line: string,
): Promise<void> {
  if (devices.length === 0) return;
  const jobs = devices.map((device) => ({
    deviceId: device.id,
    productId: device.productId,
    layoutVersion: device.layoutVersion,
    line,
  }));
  try {
    await deps.jobs.enqueueMany(line, jobs);
  } catch (error) {
    deps.metrics.enqueueFailures.inc(devices.length);
    const code = (error as { code?: unknown } | null)?.code;
    const shown = typeof code === 'string' ? code : 'FAILED';
    deps.logger.warn(`jobs of ${devices.length} devices not enqueued (${shown}): the reconciler will add them`);
  }
}
