import { Module } from '@nestjs/common';
import { QueueInspector } from './queue-inspector.js';
import { QueueController } from './queue.controller.js';
import { QueueService } from './queue.service.js';

/** `GET /v1/queue/jobs`, `POST /v1/queue/jobs/{id}/retry` (admin): failed and stuck jobs, retry. */
@Module({ controllers: [QueueController], providers: [QueueInspector, QueueService] })
export class QueueModule {}
