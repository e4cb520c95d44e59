/** Stable codes of {@link JobQueueError}. */
export type JobQueueErrorCode =
  /** A product line that cannot name a BullMQ queue (e.g. it contains `:`). */
  | 'QUEUE_LINE_INVALID'
  /** Redis did not take the job in time (down, or too slow); the job reconciler catches up later. */
  | 'QUEUE_UNAVAILABLE';

/** A failure of the job queue adapter; the message never holds a payload or a Redis URL. */
export class JobQueueError extends Error {
  constructor(
    readonly code: JobQueueErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}
