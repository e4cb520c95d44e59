import { z } from 'zod';
import { responseModel } from '../http/api-models.js';

export const Liveness = responseModel('Liveness', z.object({ status: z.literal('ok') }));

export const CheckResult = responseModel(
  'HealthCheckResult',
  z.object({
    status: z.enum(['ok', 'failed']),
    durationMs: z.number(),
    error: z.string().optional().describe('Stable code of the failure (TIMEOUT, FAILED, or the adapter error code)'),
  }),
);

export const Readiness = responseModel(
  'Readiness',
  z.object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.record(z.string(), CheckResult).describe('One entry per dependency: database, redis, hsm…'),
  }),
);
