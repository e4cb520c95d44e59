import { Module } from '@nestjs/common';
import { BindingsController } from '../devices/bindings.controller.js';
import { DevicesController } from '../devices/devices.controller.js';
import { CatalogueModule } from '../catalogue/catalogue.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { ClaimsService } from './claims.service.js';
import { DeviceRequestsService } from './device-requests.service.js';
import { JobReconciler } from './job-reconciler.js';
import { OperatorActionsService } from './operator-actions.service.js';
import { ProvisioningMetrics } from './provisioning-metrics.js';
import { ResultsService } from './results.service.js';

/**
 * Devices and their provisioning: `/v1/devices` (MES requests, station claims and results, admin
 * release and scrap) and `/v1/bindings`. Needs the global TrustModule (identities, attestation key,
 * transparency log) and imports JobsModule (the line queues).
 */
@Module({
  imports: [CatalogueModule, JobsModule],
  controllers: [DevicesController, BindingsController],
  providers: [
    DeviceRequestsService,
    ClaimsService,
    ResultsService,
    OperatorActionsService,
    ProvisioningMetrics,
    JobReconciler,
  ],
  exports: [DeviceRequestsService, JobReconciler],
})
export class ProvisioningModule {}
