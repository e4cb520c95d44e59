import { Controller, Header, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { DeviceId } from '../device-requests/devices.schemas.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodBody, ZodParam } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { ClaimRequest, DeviceClaim } from './claims.schemas.js';
import { ClaimsService } from './claims.service.js';

/**
 * `POST /v1/devices/{id}/claim` (station): bind a queued identity to the chip and hand over its
 * image; the same chip at another station of the line takes the device over.
 */
@ApiTags('devices')
@Controller('v1/devices')
export class ClaimsController {
  constructor(@Inject(ClaimsService) private readonly claims: ClaimsService) {}

  @Post(':id/claim')
  @Roles('station')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'devicesClaim',
    summary: "Bind the device to the chip and get its image, the secrets sealed to the station's key (station)",
  })
  @ZodResponse(200, DeviceClaim)
  @ApiProblem('DEVICE_NOT_FOUND')
  @ApiProblem(
    'IDENTITY_BOUND_ELSEWHERE, CHIP_ALREADY_BOUND (deviceId: finish that device instead), DEVICE_STATE_CONFLICT (state), DEVICE_OTHER_LINE (a device of another line: nothing bound or handed out) or STATION_SEALING_KEY_MISSING (no sealing key registered for the station: nothing bound or handed out)',
  )
  claim(
    @ZodParam('id', DeviceId) id: string,
    @ZodBody(ClaimRequest) body: ClaimRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceClaim> {
    return this.claims.claim(id, body, principal);
  }
}
