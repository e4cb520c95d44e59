import { Controller, Get, Header, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodBody, ZodParam, ZodQuery } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { ClaimsService } from '../provisioning/claims.service.js';
import { DeviceRequestsService } from '../provisioning/device-requests.service.js';
import { OperatorActionsService } from '../provisioning/operator-actions.service.js';
import { ResultsService } from '../provisioning/results.service.js';
import { ClaimRequest, DeviceClaim, ProvisioningResult } from './claims.schemas.js';
import {
  CreateDeviceRequest,
  DeviceId,
  DeviceList,
  DeviceListQuery,
  DeviceView,
  OperatorActionRequest,
} from './devices.schemas.js';
import { IdempotencyKey, StationReportBody } from './request-params.js';

@ApiTags('devices')
@Controller('v1/devices')
export class DevicesController {
  constructor(
    @Inject(DeviceRequestsService) private readonly requests: DeviceRequestsService,
    @Inject(ClaimsService) private readonly claims: ClaimsService,
    @Inject(ResultsService) private readonly results: ResultsService,
    @Inject(OperatorActionsService) private readonly operators: OperatorActionsService,
  ) {}

  @Post()
  @Roles('mes')
  @ApiOperation({ summary: 'Request a device identity (idempotent by Idempotency-Key); its job is queued' })
  @ZodResponse(202, DeviceView, 'The device, queued (also for a repeated request with the same key and body)')
  @ApiProblem(400, 'VALIDATION_FAILED (body) or IDEMPOTENCY_KEY_INVALID (header)')
  @ApiProblem(404, 'WORK_ORDER_NOT_FOUND or PRODUCT_NOT_FOUND')
  @ApiProblem(
    409,
    'WORK_ORDER_EXHAUSTED, WORK_ORDER_CLOSED, PRODUCT_HAS_NO_LAYOUT or SERIAL_ALREADY_USED: nothing was issued',
  )
  @ApiProblem(
    422,
    'IDEMPOTENCY_KEY_REUSED (existingId), SERIAL_INVALID, IDENTITY_INPUT_INVALID or VALUES_INVALID (errors names each input)',
  )
  create(
    @CurrentPrincipal() principal: Principal,
    @IdempotencyKey() idempotencyKey: string,
    @ZodBody(CreateDeviceRequest) body: CreateDeviceRequest,
  ): Promise<DeviceView> {
    return this.requests.create(principal, idempotencyKey, body);
  }

  @Get()
  @Roles('mes', 'auditor')
  @ApiOperation({ summary: 'Search devices (oldest first, without histories)' })
  @ZodResponse(200, DeviceList)
  list(@ZodQuery(DeviceListQuery) query: DeviceListQuery): Promise<DeviceList> {
    return this.requests.list(query);
  }

  @Get(':id')
  @Roles('mes', 'auditor')
  @ApiOperation({ summary: 'A device with its state history' })
  @ZodResponse(200, DeviceView)
  @ApiProblem(404, 'DEVICE_NOT_FOUND')
  get(@ZodParam('id', DeviceId) id: string): Promise<DeviceView> {
    return this.requests.get(id);
  }

  @Post(':id/claim')
  @Roles('station')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Bind the device to the chip and get its image, secrets included (station)' })
  @ZodResponse(200, DeviceClaim)
  @ApiProblem(404, 'DEVICE_NOT_FOUND')
  @ApiProblem(
    409,
    'IDENTITY_BOUND_ELSEWHERE, CHIP_ALREADY_BOUND (deviceId: finish that device instead) or DEVICE_STATE_CONFLICT (state)',
  )
  claim(
    @ZodParam('id', DeviceId) id: string,
    @ZodBody(ClaimRequest) body: ClaimRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceClaim> {
    return this.claims.claim(id, body.chipUid, principal);
  }

  @Post(':id/result')
  @Roles('station')
  @ApiOperation({ summary: 'Report what the station read back; the API judges it (station)' })
  @ZodResponse(200, ProvisioningResult)
  @ApiProblem(400, 'STATION_REPORT_INVALID (errors names each field)')
  @ApiProblem(404, 'DEVICE_NOT_FOUND')
  @ApiProblem(409, 'DEVICE_STATE_CONFLICT: no report expected, or one contradicting the recorded outcome')
  @ApiProblem(422, 'REPORT_SECRET_BYTES_PRESENT or REPORT_INCOMPLETE: nothing recorded')
  result(
    @ZodParam('id', DeviceId) id: string,
    @StationReportBody() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ProvisioningResult> {
    return this.results.report(id, body, principal);
  }

  @Post(':id/release')
  @Roles('admin')
  @ApiOperation({ summary: 'Give a claimed identity back to the queue: its chip was lost before any write' })
  @ZodResponse(200, DeviceView)
  @ApiProblem(404, 'DEVICE_NOT_FOUND')
  @ApiProblem(409, 'DEVICE_STATE_CONFLICT (not claimed) or DEVICE_RELEASE_REFUSED (bytes were written: scrap it)')
  release(
    @ZodParam('id', DeviceId) id: string,
    @ZodBody(OperatorActionRequest) body: OperatorActionRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceView> {
    return this.operators.release(id, body, principal);
  }

  @Post(':id/scrap')
  @Roles('admin')
  @ApiOperation({ summary: 'Retire an identity for good (queued or claimed)' })
  @ZodResponse(200, DeviceView)
  @ApiProblem(404, 'DEVICE_NOT_FOUND')
  @ApiProblem(409, 'DEVICE_STATE_CONFLICT (provisioned, quarantined or already scrapped)')
  scrap(
    @ZodParam('id', DeviceId) id: string,
    @ZodBody(OperatorActionRequest) body: OperatorActionRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceView> {
    return this.operators.scrap(id, body, principal);
  }
}
