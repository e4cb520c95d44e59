import { Controller, Get, Inject, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodBody, ZodParam, ZodQuery } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { DeviceRequestsService } from './device-requests.service.js';
import { CreateDeviceRequest, DeviceId, DeviceList, DeviceListQuery, DeviceView } from './devices.schemas.js';
import type { FastifyReply } from 'fastify';
import { IdempotencyKey, IDEMPOTENT_REPLAYED_RESPONSE_HEADER, markReplayed } from './request-params.js';

/** The MES side of `/v1/devices`: request a device identity, search and read devices. */
@ApiTags('devices')
@Controller('v1/devices')
export class DeviceRequestsController {
  constructor(@Inject(DeviceRequestsService) private readonly requests: DeviceRequestsService) {}

  @Post()
  @Roles('mes')
  @ApiOperation({
    operationId: 'devicesCreate',
    summary: 'Request a device identity (idempotent by Idempotency-Key); its job is queued',
  })
  @ZodResponse(
    202,
    DeviceView,
    'The device, queued (also for a repeated request with the same key and body)',
    IDEMPOTENT_REPLAYED_RESPONSE_HEADER,
  )
  @ApiProblem('VALIDATION_FAILED (body) or IDEMPOTENCY_KEY_INVALID (header)')
  @ApiProblem('WORK_ORDER_NOT_FOUND or PRODUCT_NOT_FOUND')
  @ApiProblem(
    'WORK_ORDER_EXHAUSTED, WORK_ORDER_CLOSED, PRODUCT_HAS_NO_LAYOUT or SERIAL_ALREADY_USED: nothing was issued',
  )
  @ApiProblem(
    'IDEMPOTENCY_KEY_REUSED (existingId), SERIAL_INVALID, IDENTITY_INPUT_INVALID or VALUES_INVALID (errors names each input)',
  )
  async create(
    @CurrentPrincipal() principal: Principal,
    @IdempotencyKey() idempotencyKey: string,
    @ZodBody(CreateDeviceRequest) body: CreateDeviceRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DeviceView> {
    const outcome = await this.requests.request(principal, idempotencyKey, body);
    if (outcome.replayed) markReplayed(reply);
    return outcome.device;
  }

  @Get()
  @Roles('mes', 'auditor', 'admin')
  @ApiOperation({ operationId: 'devicesList', summary: 'Search devices (oldest first, without histories)' })
  @ZodResponse(200, DeviceList)
  list(@ZodQuery(DeviceListQuery) query: DeviceListQuery): Promise<DeviceList> {
    return this.requests.list(query);
  }

  @Get(':id')
  @Roles('mes', 'auditor', 'admin')
  @ApiOperation({ operationId: 'devicesGet', summary: 'A device with its state history' })
  @ZodResponse(200, DeviceView)
  @ApiProblem('DEVICE_NOT_FOUND')
  get(@ZodParam('id', DeviceId) id: string): Promise<DeviceView> {
    return this.requests.get(id);
  }
}
