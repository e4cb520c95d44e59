import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ChipUid } from '../device-requests/devices.schemas.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodParam } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { ChipBinding } from './claims.schemas.js';
import { ClaimsService } from './claims.service.js';

@ApiTags('devices')
@Roles('station')
@Controller('v1/bindings')
export class BindingsController {
  constructor(@Inject(ClaimsService) private readonly claims: ClaimsService) {}

  @Get(':chipUid')
  @ApiOperation({ summary: 'The device a chip is bound to: finish a partly programmed chip with its own identity' })
  @ZodResponse(200, ChipBinding)
  @ApiProblem('BINDING_NOT_FOUND')
  @ApiProblem('DEVICE_OTHER_LINE: the chip holds a device of another line')
  get(@ZodParam('chipUid', ChipUid) chipUid: string, @CurrentPrincipal() principal: Principal): Promise<ChipBinding> {
    return this.claims.binding(chipUid, principal);
  }
}
