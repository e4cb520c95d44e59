import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodParam, ZodQuery } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { QueueJobId, QueueJobList, QueueJobsQuery, QueueJobView } from './queue.schemas.js';
import { QueueService } from './queue.service.js';

/** The line queues for the operator (the console's Queue page): admin only. */
@ApiTags('queue')
@Controller('v1/queue/jobs')
export class QueueController {
  constructor(@Inject(QueueService) private readonly service: QueueService) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ operationId: 'queueJobs', summary: 'Failed or stuck jobs of every line queue, with their reasons' })
  @ZodResponse(200, QueueJobList)
  list(@ZodQuery(QueueJobsQuery) query: QueueJobsQuery): Promise<QueueJobList> {
    return this.service.list(query);
  }

  @Post(':id/retry')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'queueJobRetry',
    summary: 'Run a failed job again (only while its device has no final outcome)',
  })
  @ZodResponse(200, QueueJobView)
  @ApiProblem('QUEUE_JOB_NOT_FOUND')
  @ApiProblem('QUEUE_JOB_NOT_RETRYABLE: the device has a final outcome, or the job is not failed')
  retry(@ZodParam('id', QueueJobId) id: string): Promise<QueueJobView> {
    return this.service.retry(id);
  }
}
