import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';
import { Metrics } from './metrics.js';
import { ProvisioningMetrics } from './provisioning-metrics.js';

/**
 * The Prometheus registry (global: any module may inject {@link Metrics} and the provisioning
 * counters {@link ProvisioningMetrics}) and `GET /metrics`.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [Metrics, ProvisioningMetrics],
  exports: [Metrics, ProvisioningMetrics],
})
export class MetricsModule {}
