import type { CycleResult } from '#ingrain/otp';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

// Seconds: a phase takes from well under a millisecond (plan) to seconds (a slow link's read-back).
const PHASE_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The station's Prometheus metrics, on a registry of its own (served by {@link MetricsServer}).
 * Labels come from small fixed sets (phases, outcomes, error codes, fixture ports): never a chip
 * UID, a device id or anything secret. Recording never throws.
 */
export class StationMetrics {
  readonly registry = new Registry();
  readonly #phaseDuration: Histogram<'phase'>;
  readonly #outcomes: Counter<'outcome'>;
  readonly #linkErrors: Counter<'code'>;
  readonly #heartbeatFailures: Counter;
  readonly #heartbeats: Counter;

  /** @param spoolDepth how many reports wait in the spool (read at each scrape; undefined: unknown). */
  constructor(spoolDepth: () => Promise<number | undefined>) {
    const registers = [this.registry];
    this.#phaseDuration = new Histogram({
      name: 'ingrain_station_cycle_phase_duration_seconds',
      help: 'Provisioning cycle phase durations (connect, identify, read, plan, write, verify, lock)',
      labelNames: ['phase'] as const,
      buckets: PHASE_BUCKETS_SECONDS,
      registers,
    });
    this.#outcomes = new Counter({
      name: 'ingrain_station_cycle_outcomes_total',
      help: 'Finished provisioning cycles by outcome (provisioned, already-provisioned, conflict, link-error, …)',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.#linkErrors = new Counter({
      name: 'ingrain_station_link_errors_total',
      help: 'Cycles that ended in link-error, by error code (BOOTLOADER_TIMEOUT, BOOTLOADER_NACK, …)',
      labelNames: ['code'] as const,
      registers,
    });
    this.#heartbeats = new Counter({
      name: 'ingrain_station_heartbeats_sent_total',
      help: 'Heartbeats the API accepted',
      registers,
    });
    this.#heartbeatFailures = new Counter({
      name: 'ingrain_station_heartbeat_failures_total',
      help: 'Heartbeats that failed (API unreachable, refused, timed out)',
      registers,
    });
    new Gauge({
      name: 'ingrain_station_spool_reports',
      help: 'Reports waiting in the result spool for the API',
      registers,
      async collect() {
        const depth = await spoolDepth().catch(() => undefined);
        if (depth === undefined) this.reset();
        else this.set(depth);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'ingrain_station_' });
  }

  /** A finished cycle: its outcome, its phases' durations and, for a link-error, its code. */
  cycleFinished(result: CycleResult): void {
    this.#outcomes.inc({ outcome: result.outcome });
    for (const [phase, ms] of Object.entries(result.durationsMs)) {
      if (ms > 0) this.#phaseDuration.observe({ phase }, ms / 1000);
    }
    if (result.outcome === 'link-error') this.#linkErrors.inc({ code: result.error?.code ?? 'UNKNOWN' });
  }

  heartbeatSent(): void {
    this.#heartbeats.inc();
  }

  heartbeatFailed(): void {
    this.#heartbeatFailures.inc();
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
