import type { JobsOptions } from 'bullmq';

/**
 * Retries of a provisioning job. A station fails a job for a transient link problem (a chip not
 * answering, a cable pulled): the same chip usually works again seconds later, and the claim makes
 * a re-run safe (it can only reach the chip the identity is bound to). Five attempts 1 s, 2 s, 4 s,
 * 8 s apart cover a reseated chip without hammering a broken fixture; after that the job stays
 * failed and the device `claimed`, for the operator (re-insert the chip: GET /v1/bindings finds
 * its identity; or release / scrap). Conflicts, wrong devices and verification failures are final:
 * the station throws BullMQ's UnrecoverableError for those, so they are not retried at all.
 */
export const PROVISION_JOB_ATTEMPTS = 5;
export const PROVISION_JOB_BACKOFF_MS = 1_000;

/** Completed jobs are kept a day (what ran where), failed ones a week (for the operator). */
const KEEP_COMPLETED_SECONDS = 24 * 3600;
const KEEP_FAILED_SECONDS = 7 * 24 * 3600;
const KEEP_MAX_JOBS = 100_000;

export const PROVISION_JOB_OPTIONS: JobsOptions = {
  attempts: PROVISION_JOB_ATTEMPTS,
  backoff: { type: 'exponential', delay: PROVISION_JOB_BACKOFF_MS },
  removeOnComplete: { age: KEEP_COMPLETED_SECONDS, count: KEEP_MAX_JOBS },
  removeOnFail: { age: KEEP_FAILED_SECONDS, count: KEEP_MAX_JOBS },
};
