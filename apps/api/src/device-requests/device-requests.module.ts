import { Module } from '@nestjs/common';
import { CatalogueModule } from '../catalogue/catalogue.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { DeviceBatchController } from './device-batch.controller.js';
import { DeviceBatchService } from './device-batch.service.js';
import { DeviceRequestsController } from './device-requests.controller.js';
import { DeviceRequestsService } from './device-requests.service.js';
import { RequestHasher } from './idempotency.js';

/**
 * The MES request hop: `POST /v1/devices` issues an identity and queues its job; `GET /v1/devices`
 * and `GET /v1/devices/{id}` read devices. Uses the catalogue's layouts, the global identity issuer
 * and the global job queue.
 */
@Module({
  imports: [CatalogueModule, IdentityModule],
  controllers: [DeviceRequestsController, DeviceBatchController],
  providers: [DeviceRequestsService, DeviceBatchService, RequestHasher],
  exports: [DeviceRequestsService],
})
export class DeviceRequestsModule {}
