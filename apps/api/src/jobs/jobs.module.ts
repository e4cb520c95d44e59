import { Global, Module } from '@nestjs/common';
import { JobQueue } from './job-queue.js';
import { JobReconciler } from './job-reconciler.js';

/**
 * The production-line job queues (BullMQ): {@link JobQueue}, global, with its readiness check, and
 * the {@link JobReconciler} that gives every queued device its job.
 */
@Global()
@Module({ providers: [JobQueue, JobReconciler], exports: [JobQueue, JobReconciler] })
export class JobsModule {}
