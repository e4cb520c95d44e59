import { z } from 'zod';
import { requestModel, responseModel } from '../http/api-models.js';

export const QueueJobsQuery = requestModel(
  'QueueJobsQuery',
  z.strictObject({
    state: z
      .enum(['failed', 'stuck'])
      .describe(
        'failed: jobs whose attempts are used up or that failed for good; stuck: waiting, delayed or active too long',
      ),
    olderThanSeconds: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 86_400)
      .default(600)
      .describe('state=stuck: how long a job must have waited or run (default 600 s)'),
  }),
);
export type QueueJobsQuery = z.output<typeof QueueJobsQuery>;

export const QueueJobId = z.uuid().describe('The job id: the device id');

export const QueueJobView = responseModel(
  'QueueJob',
  z
    .object({
      id: z.string().describe('The job id (the device id)'),
      line: z.string(),
      state: z.string().describe("BullMQ's state: failed, active, waiting, delayed, prioritized"),
      deviceId: z.string().nullable(),
      deviceState: z.string().nullable().describe("The device's state in the database; null: no such device"),
      serial: z.string().nullable(),
      attemptsMade: z.int(),
      reasonCode: z.string().nullable().describe('The failure code the station reported (STATION_…); null: none'),
      failedReason: z.string().nullable().describe("The station's failure message"),
      createdAt: z.iso.datetime(),
      processedAt: z.iso.datetime().nullable(),
      finishedAt: z.iso.datetime().nullable(),
      retryable: z.boolean().describe('Whether POST …/retry would run it again'),
      retry: z.string().describe('What a retry means for this job, or why it is not retried'),
    })
    .describe('A failed or stuck job of a line queue'),
);
export type QueueJobView = z.output<typeof QueueJobView>;

export const QueueJobList = responseModel(
  'QueueJobList',
  z.object({
    jobs: z.array(QueueJobView),
    nextCursor: z.string().nullable().describe('Always null: at most 500 per line'),
  }),
);
export type QueueJobList = z.output<typeof QueueJobList>;
