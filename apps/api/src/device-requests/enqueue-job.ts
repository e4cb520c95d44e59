import type { Logger } from '@nestjs/common';
import type { JobQueue } from '../jobs/job-queue.js';
import type { LineJob } from '../jobs/line-queue.js';
import type { ProvisioningMetrics } from '../metrics/provisioning-metrics.js';
import type { DeviceRecord } from '../repositories/device-records.js';

type EnqueueDeps = { readonly jobs: JobQueue; readonly metrics: ProvisioningMetrics; readonly logger: Logger };

/** A stored device's job on its product's line. */
const jobOf = (device: DeviceRecord, line: string): LineJob => ({
  deviceId: device.id,
  productId: device.productId,
  layoutVersion: device.layoutVersion,
  line,
});

/** Counts `devices` enqueue failures and logs `what` with the error's code (never its message). */
function notEnqueued(deps: EnqueueDeps, error: unknown, devices: number, what: string): void {
  deps.metrics.enqueueFailures.inc(devices);
  const code = (error as { code?: unknown } | null)?.code;
  const shown = typeof code === 'string' ? code : 'FAILED';
  deps.logger.warn(`${what} not enqueued (${shown}): the reconciler will add ${devices === 1 ? 'it' : 'them'}`);
}

/**
 * Enqueues (or, for a replayed request, re-enqueues) a stored device's job after its commit. A
 * queue failure is counted and logged, never thrown: the device is stored `queued`, and the job
 * reconciler adds its job when Redis is back.
 */
export async function enqueueAfterCommit(
  deps: EnqueueDeps,
  device: DeviceRecord,
  line: string,
  requeue = false,
): Promise<void> {
  const job = jobOf(device, line);
  try {
    if (requeue) await deps.jobs.requeue(job);
    else await deps.jobs.enqueue(job);
  } catch (error) {
    notEnqueued(deps, error, 1, `job of device ${device.id}`);
  }
}

/**
 * {@link enqueueAfterCommit} for devices of one line stored in one transaction: their jobs in one
 * Redis round trip. A failure is counted for each device and logged once, never thrown.
 */
export async function enqueueManyAfterCommit(
  deps: EnqueueDeps,
  devices: readonly DeviceRecord[],
  line: string,
): Promise<void> {
  if (devices.length === 0) return;
  try {
    await deps.jobs.enqueueMany(
      line,
      devices.map((device) => jobOf(device, line)),
    );
  } catch (error) {
    notEnqueued(deps, error, devices.length, `jobs of ${devices.length} devices`);
  }
}
