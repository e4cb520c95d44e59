import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ZodQuery } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { LineService } from './line.service.js';
import { LineQuery, LineView } from './stations.schemas.js';

/** `GET /v1/line`: what the console's Line page shows (admin, auditor, mes: read-only, no secrets). */
@ApiTags('stations')
@Controller('v1/line')
export class LineController {
  constructor(@Inject(LineService) private readonly service: LineService) {}

  @Get()
  @Roles('admin', 'auditor', 'mes')
  @ApiOperation({
    operationId: 'lineView',
    summary: 'The line: stations and fixtures (online/offline), devices per hour, yield and failures by reason',
  })
  @ZodResponse(200, LineView)
  view(@ZodQuery(LineQuery) query: LineQuery): Promise<LineView> {
    return this.service.view(query);
  }
}
