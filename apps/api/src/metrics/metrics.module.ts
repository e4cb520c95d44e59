import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';
import { Metrics } from './metrics.js';
import { ProvisioningMetrics } from './provisioning-metrics.js';
import { ReadinessMetrics } from './readiness-metrics.js';

/**
 * The Prometheus registry (global: any module may inject {@link Metrics} and the provisioning
 * counters {@link ProvisioningMetrics}), the dependencies' readiness gauge ({@link ReadinessMetrics})
 * and `GET /metrics`.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [Metrics, ProvisioningMetrics, ReadinessMetrics],
  exports: [Metrics, ProvisioningMetrics],
})
export class MetricsModule {}
