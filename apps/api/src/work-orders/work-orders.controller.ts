import { Controller, Get, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodBody, ZodParam } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { ClosedWorkOrder, CreateWorkOrderRequest, WorkOrderId, WorkOrderView } from './work-orders.schemas.js';
import { WorkOrdersService } from './work-orders.service.js';

@ApiTags('work-orders')
@Roles('mes')
@Controller('v1/work-orders')
export class WorkOrdersController {
  constructor(@Inject(WorkOrdersService) private readonly service: WorkOrdersService) {}

  @Post()
  @ApiOperation({ summary: "Open a work order (layout version: the product's latest unless given)" })
  @ZodResponse(201, WorkOrderView)
  @ApiProblem('PRODUCT_NOT_FOUND or LAYOUT_NOT_FOUND')
  @ApiProblem('PRODUCT_HAS_NO_LAYOUT')
  create(@ZodBody(CreateWorkOrderRequest) body: CreateWorkOrderRequest): Promise<WorkOrderView> {
    return this.service.create(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a work order with its counts' })
  @ZodResponse(200, WorkOrderView)
  @ApiProblem('WORK_ORDER_NOT_FOUND')
  get(@ZodParam('id', WorkOrderId) id: string): Promise<WorkOrderView> {
    return this.service.get(id);
  }

  @Post(':id/close')
  @ApiOperation({ summary: 'Close a work order; returns its report signed by the attestation key (idempotent)' })
  @ZodResponse(200, ClosedWorkOrder)
  @ApiProblem('WORK_ORDER_NOT_FOUND')
  close(@ZodParam('id', WorkOrderId) id: string, @CurrentPrincipal() principal: Principal): Promise<ClosedWorkOrder> {
    return this.service.close(id, principal.tokenId);
  }
}
