import { Controller, Inject, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodBody, ZodParam } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { WorkOrderId } from '../work-orders/work-orders.schemas.js';
import { DeviceBatchRequest, DeviceBatchResponse } from './device-batch.schemas.js';
import { DeviceBatchService } from './device-batch.service.js';
import { IdempotencyKey, IDEMPOTENT_REPLAYED_RESPONSE_HEADER, markReplayed } from './request-params.js';

/** Batches of device requests: `POST /v1/work-orders/{id}/devices` (docs/api.md, "Batches"). */
@ApiTags('devices')
@Controller('v1/work-orders')
export class DeviceBatchController {
  constructor(@Inject(DeviceBatchService) private readonly batches: DeviceBatchService) {}

  @Post(':id/devices')
  @Roles('mes')
  @ApiOperation({
    operationId: 'workOrdersRequestDevices',
    summary: 'Request up to 1,000 devices of a work order in one idempotent call, with a result per item',
  })
  @ZodResponse(
    200,
    DeviceBatchResponse,
    'Each item: created, replayed or error (code and fields); Idempotent-Replayed when every item was replayed',
    IDEMPOTENT_REPLAYED_RESPONSE_HEADER,
  )
  @ApiProblem('VALIDATION_FAILED (body: 1-1000 items) or IDEMPOTENCY_KEY_INVALID (header)')
  @ApiProblem('WORK_ORDER_NOT_FOUND')
  @ApiProblem('WORK_ORDER_CLOSED: nothing was issued')
  async request(
    @CurrentPrincipal() principal: Principal,
    @IdempotencyKey() idempotencyKey: string,
    @ZodParam('id', WorkOrderId) id: string,
    @ZodBody(DeviceBatchRequest) body: DeviceBatchRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DeviceBatchResponse> {
    const response = await this.batches.request(principal, idempotencyKey, id, body);
    if (response.replayed === response.results.length) markReplayed(reply);
    return response;
  }
}
