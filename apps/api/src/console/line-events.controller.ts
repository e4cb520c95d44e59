import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Roles } from '../auth/auth.decorators.js';
import { LineEvents } from './line-events.js';

/**
 * `GET /v1/line/events`: the console's Line page, pushed (Server-Sent Events): event `line` with the
 * line view, devices by state and recent device changes whenever they change; comments keep the
 * stream open; event `end` when the session or token ends. Outside the OpenAPI document (a stream,
 * not a JSON operation: the generated client and the matrix's request-per-role cannot read it);
 * its roles are tested in test/e2e/console.test.ts.
 */
@ApiExcludeController()
@Controller('v1/line/events')
export class LineEventsController {
  constructor(@Inject(LineEvents) private readonly events: LineEvents) {}

  @Get()
  @Roles('admin', 'auditor', 'mes')
  stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    this.events.open(request, reply);
  }
}
