import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodQuery } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { ConsistencyQuery, LogCheckpointView, LogConsistencyView } from './audit.schemas.js';
import { AuditService } from './audit.service.js';

@ApiTags('audit')
@Roles('auditor')
@Controller('v1/log')
export class LogController {
  constructor(@Inject(AuditService) private readonly service: AuditService) {}

  @Get('checkpoint')
  @ApiOperation({ summary: 'The latest signed checkpoint of the transparency log' })
  @ZodResponse(200, LogCheckpointView)
  checkpoint(): Promise<LogCheckpointView> {
    return this.service.checkpoint();
  }

  @Get('consistency')
  @ApiOperation({ summary: 'Consistency proof from an older signed checkpoint to a newer one (default: the latest)' })
  @ZodResponse(200, LogConsistencyView)
  @ApiProblem('CHECKPOINT_NOT_FOUND: no checkpoint was signed at a requested tree size')
  consistency(@ZodQuery(ConsistencyQuery) query: ConsistencyQuery): Promise<LogConsistencyView> {
    return this.service.consistency(query);
  }
}
