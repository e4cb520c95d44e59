import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { Metrics } from './metrics.js';

/** `GET /metrics`: Prometheus text format, unauthenticated — expose it on an internal interface only. */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(Metrics) private readonly metrics: Metrics) {}

  @Get()
  @Public()
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics (no authentication: keep on an internal interface)' })
  @ApiOkResponse({
    description: 'Prometheus text exposition format',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { contentType, body } = await this.metrics.exposition();
    void reply.type(contentType);
    return body;
  }
}
