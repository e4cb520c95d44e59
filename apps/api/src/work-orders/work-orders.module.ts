import { Module } from '@nestjs/common';
import { WorkOrdersController } from './work-orders.controller.js';
import { WorkOrdersService } from './work-orders.service.js';
import { WorkOrderReportsController } from './work-order-reports.controller.js';
import { WorkOrderReportsService } from './work-order-reports.service.js';

/** `/v1/work-orders` (mes; close reports also auditor). Needs TrustModule (global) for the attestation signer. */
@Module({
  controllers: [WorkOrdersController, WorkOrderReportsController],
  providers: [WorkOrdersService, WorkOrderReportsService],
  exports: [WorkOrdersService],
})
export class WorkOrdersModule {}
