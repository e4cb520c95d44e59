import { Global, Module } from '@nestjs/common';
import { JobQueue } from './job-queue.js';

/** The production-line job queues (BullMQ): {@link JobQueue}, global, with its readiness check. */
@Global()
@Module({ providers: [JobQueue], exports: [JobQueue] })
export class JobsModule {}
