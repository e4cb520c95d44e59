import { Controller, Get, HttpCode, Inject, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { modelRef } from '../http/api-models.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { HealthRegistry, type ReadinessReport } from './health-registry.js';
import { Liveness, Readiness } from './health.schemas.js';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(@Inject(HealthRegistry) private readonly health: HealthRegistry) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ZodResponse(200, Liveness)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HttpCode(200)
  @ApiOperation({ summary: 'Readiness: every registered dependency (database, Redis, HSM) answers' })
  @ApiResponse({
    status: 200,
    description: 'Ready',
    content: { 'application/json': { schema: modelRef(Readiness, 'response') } },
  })
  @ApiResponse({
    status: 503,
    description: 'Not ready',
    content: { 'application/json': { schema: modelRef(Readiness, 'response') } },
  })
  async ready(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReadinessReport> {
    const report = await this.health.run((name, error) =>
      request.log.warn({ err: error, check: name }, 'readiness check failed'),
    );
    if (report.status !== 'ok') void reply.status(503);
    return report;
  }
}
