import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { WitnessedCheckpointView } from './witnessing.schemas.js';
import { WitnessingService } from './witnessing.service.js';

@ApiTags('audit')
@Roles('auditor')
@Controller('v1/log')
export class WitnessingController {
  constructor(@Inject(WitnessingService) private readonly service: WitnessingService) {}

  @Get('witnessed-checkpoint')
  @ApiOperation({ summary: 'The latest checkpoint cosigned by the configured witnesses, with their cosignatures' })
  @ZodResponse(200, WitnessedCheckpointView)
  @ApiProblem('WITNESSED_CHECKPOINT_NOT_FOUND: no witness is configured, or none has cosigned yet')
  witnessedCheckpoint(): Promise<WitnessedCheckpointView> {
    return this.service.witnessed();
  }
}
