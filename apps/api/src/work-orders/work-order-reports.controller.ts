import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodParam, ZodQuery } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { ClosedWorkOrderReport, DeviceListQuery, WorkOrderDeviceListPage } from './work-order-report.schemas.js';
import { WorkOrderReportsService } from './work-order-reports.service.js';
import { WorkOrderId } from './work-orders.schemas.js';

/** A closed work order's close report and its device list: read by the MES and by auditors. */
@ApiTags('work-orders')
@Roles('mes', 'auditor')
@Controller('v1/work-orders')
export class WorkOrderReportsController {
  constructor(@Inject(WorkOrderReportsService) private readonly reports: WorkOrderReportsService) {}

  @Get(':id/report')
  @ApiOperation({ summary: 'The signed close report of a closed work order' })
  @ZodResponse(200, ClosedWorkOrderReport)
  @ApiProblem('WORK_ORDER_NOT_FOUND')
  @ApiProblem('WORK_ORDER_NOT_CLOSED')
  report(@ZodParam('id', WorkOrderId) id: string): Promise<ClosedWorkOrderReport> {
    return this.reports.report(id);
  }

  @Get(':id/report/devices')
  @ApiOperation({
    summary: "The devices a close report's devices.listSha256 covers, in its order, a page at a time",
  })
  @ZodResponse(200, WorkOrderDeviceListPage)
  @ApiProblem('WORK_ORDER_NOT_FOUND')
  @ApiProblem('WORK_ORDER_NOT_CLOSED')
  reportDevices(
    @ZodParam('id', WorkOrderId) id: string,
    @ZodQuery(DeviceListQuery) query: DeviceListQuery,
  ): Promise<WorkOrderDeviceListPage> {
    return this.reports.devicePage(id, query);
  }
}
