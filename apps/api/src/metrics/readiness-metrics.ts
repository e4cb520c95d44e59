import { Inject, Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { HealthRegistry } from '../health/health-registry.js';
import { Metrics } from './metrics.js';

/**
 * `ingrain_dependency_ready{check}`: 1 when a readiness check (database, redis, hsm) passes, 0 when
 * it fails, run at each scrape as `/health/ready` runs them (alerts: HSM or Redis not ready).
 */
@Injectable()
export class ReadinessMetrics {
  constructor(@Inject(Metrics) metrics: Metrics, @Inject(HealthRegistry) health: HealthRegistry) {
    new Gauge({
      name: 'ingrain_dependency_ready',
      help: 'Readiness of each dependency of the API (1 ready, 0 not), checked at each scrape',
      labelNames: ['check'] as const,
      registers: [metrics.registry],
      async collect() {
        const report = await health.run();
        this.reset();
        for (const [check, result] of Object.entries(report.checks))
          this.set({ check }, result.status === 'ok' ? 1 : 0);
      },
    });
  }
}
