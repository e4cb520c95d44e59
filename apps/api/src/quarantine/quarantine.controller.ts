import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { DeviceId } from '../device-requests/devices.schemas.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodParam } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { QuarantineDifferenceView } from './quarantine.schemas.js';
import { QuarantineService } from './quarantine.service.js';

@ApiTags('devices')
@Controller('v1/devices')
export class QuarantineController {
  constructor(@Inject(QuarantineService) private readonly service: QuarantineService) {}

  @Get(':id/difference')
  @Roles('admin', 'auditor')
  @ApiOperation({
    operationId: 'devicesDifference',
    summary: 'A quarantined chip against its target, by layout field (secret fields: status only)',
  })
  @ZodResponse(200, QuarantineDifferenceView)
  @ApiProblem('DEVICE_NOT_FOUND')
  @ApiProblem('DEVICE_NOT_QUARANTINED')
  difference(@ZodParam('id', DeviceId) id: string): Promise<QuarantineDifferenceView> {
    return this.service.difference(id);
  }
}
