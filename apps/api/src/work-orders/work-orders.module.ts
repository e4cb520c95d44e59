import { Module } from '@nestjs/common';
import { WorkOrdersController } from './work-orders.controller.js';
import { WorkOrdersService } from './work-orders.service.js';
import { WorkOrderReportsService } from './work-order-reports.service.js';

/** `/v1/work-orders` (mes). Needs TrustModule (global) for the attestation signer. */
@Module({
  controllers: [WorkOrdersController],
  providers: [WorkOrdersService, WorkOrderReportsService],
  exports: [WorkOrdersService],
})
export class WorkOrdersModule {}
