import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PublicWhenLogPublic, Roles } from '../auth/auth.decorators.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodQuery } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { ConsistencyQuery, LogCheckpointView, LogConsistencyView } from './audit.schemas.js';
import { AuditService } from './audit.service.js';
import { CheckpointHistoryQuery, CheckpointHistoryView } from './log-tiles.schemas.js';

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

  @Get('checkpoints')
  @PublicWhenLogPublic()
  @ApiOperation({
    summary: 'Every signed checkpoint, oldest first, cursor paged (public when INGRAIN_LOG_PUBLIC=true)',
  })
  @ZodResponse(200, CheckpointHistoryView)
  checkpoints(@ZodQuery(CheckpointHistoryQuery) query: CheckpointHistoryQuery): Promise<CheckpointHistoryView> {
    return this.service.checkpointHistory(query);
  }
}
