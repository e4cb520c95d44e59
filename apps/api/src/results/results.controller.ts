import { Controller, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { DeviceId } from '../device-requests/devices.schemas.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodParam } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { StationReportBody } from './report-param.js';
import { ProvisioningResult } from './results.schemas.js';
import { ResultsService } from './results.service.js';

/** `POST /v1/devices/{id}/result` (station): the report of what was written, judged by the API. */
@ApiTags('devices')
@Controller('v1/devices')
export class ResultsController {
  constructor(@Inject(ResultsService) private readonly results: ResultsService) {}

  @Post(':id/result')
  @Roles('station')
  @ApiOperation({
    operationId: 'devicesResult',
    summary: 'Report what the station read back; the API judges it (station)',
  })
  @ZodResponse(200, ProvisioningResult)
  @ApiProblem('STATION_REPORT_INVALID (errors names each field)')
  @ApiProblem('DEVICE_NOT_FOUND')
  @ApiProblem(
    "DEVICE_STATE_CONFLICT: no report expected, or one contradicting the recorded outcome; DEVICE_OTHER_LINE or DEVICE_CLAIMED_BY_OTHER_STATION: not this station's device, nothing recorded",
  )
  @ApiProblem('REPORT_SECRET_BYTES_PRESENT or REPORT_INCOMPLETE: nothing recorded')
  result(
    @ZodParam('id', DeviceId) id: string,
    @StationReportBody() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ProvisioningResult> {
    return this.results.report(id, body, principal);
  }
}
