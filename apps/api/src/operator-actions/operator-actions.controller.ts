import { Controller, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { DeviceId, DeviceView, OperatorActionRequest } from '../device-requests/devices.schemas.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodBody, ZodParam } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { OperatorActionsService } from './operator-actions.service.js';

/** `POST /v1/devices/{id}/release` and `/scrap` (admin): an operator's decision about an identity. */
@ApiTags('devices')
@Controller('v1/devices')
export class OperatorActionsController {
  constructor(@Inject(OperatorActionsService) private readonly operators: OperatorActionsService) {}

  @Post(':id/release')
  @Roles('admin')
  @ApiOperation({
    operationId: 'devicesRelease',
    summary: 'Give a claimed identity back to the queue: its chip was lost before any write',
  })
  @ZodResponse(200, DeviceView)
  @ApiProblem('DEVICE_NOT_FOUND')
  @ApiProblem('DEVICE_STATE_CONFLICT (not claimed) or DEVICE_RELEASE_REFUSED (bytes were written: scrap it)')
  release(
    @ZodParam('id', DeviceId) id: string,
    @ZodBody(OperatorActionRequest) body: OperatorActionRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceView> {
    return this.operators.release(id, body, principal);
  }

  @Post(':id/scrap')
  @Roles('admin')
  @ApiOperation({ operationId: 'devicesScrap', summary: 'Retire an identity for good (queued or claimed)' })
  @ZodResponse(200, DeviceView)
  @ApiProblem('DEVICE_NOT_FOUND')
  @ApiProblem('DEVICE_STATE_CONFLICT (provisioned, quarantined or already scrapped)')
  scrap(
    @ZodParam('id', DeviceId) id: string,
    @ZodBody(OperatorActionRequest) body: OperatorActionRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceView> {
    return this.operators.scrap(id, body, principal);
  }
}
