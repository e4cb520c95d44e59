import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

// Seconds: from 1 ms (a cached read) to 10 s (an HSM-bound request under load).
const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The API's Prometheus metrics, on a registry of its own (one per app, so tests can run several
 * apps in one process). The shared metrics of the other modules are declared here so their names
 * and labels stay consistent; a module needing another one registers it on {@link Metrics.registry}
 * (`new Counter({ name: 'ingrain_…', help, labelNames, registers: [metrics.registry] })`).
 * Label values must come from small fixed sets (route templates, states, station ids) — never
 * from serials, chip UIDs or anything secret.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  /** Every HTTP response by method, route template (`/v1/tokens/:id`) and status. */
  readonly httpRequestDuration = new Histogram({
    name: 'ingrain_http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS_SECONDS,
    registers: [this.registry],
  });

  /** Authentication failures by reason: missing, malformed, unknown (incl. revoked), rate-limited. */
  readonly authFailures = new Counter({
    name: 'ingrain_auth_failures_total',
    help: 'Rejected authentication attempts by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  /** Provisioning results reported by stations: outcome (provisioned, quarantined, retry) and reason. */
  readonly provisioningOutcomes = new Counter({
    name: 'ingrain_provisioning_outcomes_total',
    help: 'Provisioning results by station, outcome and reason',
    labelNames: ['station', 'outcome', 'reason'] as const,
    registers: [this.registry],
  });

  /** Jobs per production line queue and BullMQ state (waiting, active, delayed, failed). */
  readonly queueDepth = new Gauge({
    name: 'ingrain_queue_jobs',
    help: 'Jobs in each production line queue by state',
    labelNames: ['line', 'state'] as const,
    registers: [this.registry],
  });

  /** HSM operation latency by operation (generate-key-pair, sign, derive, seal, unseal…). */
  readonly hsmOperationDuration = new Histogram({
    name: 'ingrain_hsm_operation_duration_seconds',
    help: 'HSM operation latency by operation',
    labelNames: ['operation'] as const,
    buckets: LATENCY_BUCKETS_SECONDS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'ingrain_' });
  }

  /** The text exposition format and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
