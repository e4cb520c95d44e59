import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { Metrics } from './metrics.js';

/** Why an issued identity was thrown away instead of stored (label values of the counter). */
export type DiscardReason = 'replayed' | 'quota' | 'serial-taken' | 'failed';

/**
 * Provisioning's own metrics, on the app's registry, next to the shared
 * `ingrain_provisioning_outcomes_total` and `ingrain_queue_jobs` of {@link Metrics}.
 */
@Injectable()
export class ProvisioningMetrics {
  /**
   * Identities made in the HSM (key pair, certificate) and then discarded because the creating
   * transaction did not commit: lost races for the quota, a serial or an idempotency key. They
   * never left the process; the count shows how much HSM work contention costs.
   */
  readonly identitiesDiscarded: Counter<'reason'>;
  /** Jobs that could not be enqueued after their device committed (the reconciler adds them). */
  readonly enqueueFailures: Counter;
  /** Jobs added by the reconciler for queued devices found without one. */
  readonly jobsReconciled: Counter;

  constructor(@Inject(Metrics) readonly shared: Metrics) {
    const registers = [shared.registry];
    this.identitiesDiscarded = new Counter({
      name: 'ingrain_identities_discarded_total',
      help: 'Device identities issued in the HSM but not stored (lost races, failures), by reason',
      labelNames: ['reason'] as const,
      registers,
    });
    this.enqueueFailures = new Counter({
      name: 'ingrain_job_enqueue_failures_total',
      help: 'Provisioning jobs not enqueued after their device was committed (reconciled later)',
      registers,
    });
    this.jobsReconciled = new Counter({
      name: 'ingrain_jobs_reconciled_total',
      help: 'Provisioning jobs added by the reconciler for queued devices without one',
      registers,
    });
  }
}
