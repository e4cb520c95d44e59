import { Controller, Get, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodBody, ZodParam, ZodQuery } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import {
  ClosedWorkOrder,
  CreateWorkOrderRequest,
  WorkOrderId,
  WorkOrderList,
  WorkOrderListQuery,
  WorkOrderView,
} from './work-orders.schemas.js';
import { WorkOrdersService } from './work-orders.service.js';

@ApiTags('work-orders')
@Controller('v1/work-orders')
export class WorkOrdersController {
  constructor(@Inject(WorkOrdersService) private readonly service: WorkOrdersService) {}

  @Post()
  @Roles('mes')
  @ApiOperation({ summary: "Open a work order (layout version: the product's latest unless given)" })
  @ZodResponse(201, WorkOrderView)
  @ApiProblem('PRODUCT_NOT_FOUND or LAYOUT_NOT_FOUND')
  @ApiProblem('PRODUCT_HAS_NO_LAYOUT')
  create(@ZodBody(CreateWorkOrderRequest) body: CreateWorkOrderRequest): Promise<WorkOrderView> {
    return this.service.create(body);
  }

  @Get()
  @Roles('mes', 'admin', 'auditor')
  @ApiOperation({
    operationId: 'workOrdersList',
    summary: 'List work orders, newest first, with their counts (cursor paging)',
  })
  @ZodResponse(200, WorkOrderList)
  @ApiProblem('CURSOR_INVALID')
  list(@ZodQuery(WorkOrderListQuery) query: WorkOrderListQuery): Promise<WorkOrderList> {
    return this.service.list(query);
  }

  @Get(':id')
  @Roles('mes')
  @ApiOperation({ summary: 'Read a work order with its counts' })
  @ZodResponse(200, WorkOrderView)
  @ApiProblem('WORK_ORDER_NOT_FOUND')
  get(@ZodParam('id', WorkOrderId) id: string): Promise<WorkOrderView> {
    return this.service.get(id);
  }

  @Post(':id/close')
  @Roles('mes')
  @ApiOperation({ summary: 'Close a work order; returns its report signed by the attestation key (idempotent)' })
  @ZodResponse(200, ClosedWorkOrder)
  @ApiProblem('WORK_ORDER_NOT_FOUND')
  close(@ZodParam('id', WorkOrderId) id: string, @CurrentPrincipal() principal: Principal): Promise<ClosedWorkOrder> {
    return this.service.close(id, principal.tokenId);
  }
}
