// The production-line job queues: the API enqueues, the station worker consumes.
export * from './errors.js';
export * from './line-queue.js';
export * from './job-options.js';
export { JobQueue, type QueueDepth } from './job-queue.js';
export { JobsModule } from './jobs.module.js';
