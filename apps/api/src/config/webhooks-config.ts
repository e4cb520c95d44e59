import { z } from 'zod';
import { integer, optionalText } from './env-fields.js';

/** Webhook delivery (docs/webhooks.md § Configuration): parsed once at boot, with the rest of the env. */
export interface WebhooksConfig {
  /** How long the delivery worker sleeps when nothing was due. */
  readonly pollIntervalMs: number;
  /** One delivery attempt's limit (connect, send, answer). */
  readonly timeoutMs: number;
  /** Attempts per delivery before it is dead-lettered (a replay starts a new budget). */
  readonly maxAttempts: number;
  /** The first retry's delay; each further retry doubles it (with jitter), up to backoffMaxMs. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** Deliveries one worker claims at once. */
  readonly batchSize: number;
  /** Whether `http:` URLs are accepted for other hosts than loopback (default: https only). */
  readonly allowHttp: boolean;
}

const HOUR_MS = 3_600_000;

/** The INGRAIN_WEBHOOKS_* variables (spread into apiEnvSchema). */
export const webhooksEnvShape = {
  INGRAIN_WEBHOOKS_POLL_INTERVAL_MS: integer(10, 60_000, 1_000),
  INGRAIN_WEBHOOKS_TIMEOUT_MS: integer(100, 120_000, 10_000),
  INGRAIN_WEBHOOKS_MAX_ATTEMPTS: integer(1, 100, 12),
  INGRAIN_WEBHOOKS_BACKOFF_BASE_MS: integer(10, HOUR_MS, 5_000),
  INGRAIN_WEBHOOKS_BACKOFF_MAX_MS: integer(10, 24 * HOUR_MS, HOUR_MS),
  INGRAIN_WEBHOOKS_BATCH_SIZE: integer(1, 1_000, 16),
  INGRAIN_WEBHOOKS_ALLOW_HTTP: optionalText.pipe(
    z.enum(['true', 'false'], { error: 'expected true or false' }).default('false'),
  ),
};

type WebhooksEnv = { [K in keyof typeof webhooksEnvShape]: z.output<(typeof webhooksEnvShape)[K]> };

export function webhooksConfig(vars: WebhooksEnv): WebhooksConfig {
  return {
    pollIntervalMs: vars.INGRAIN_WEBHOOKS_POLL_INTERVAL_MS,
    timeoutMs: vars.INGRAIN_WEBHOOKS_TIMEOUT_MS,
    maxAttempts: vars.INGRAIN_WEBHOOKS_MAX_ATTEMPTS,
    backoffBaseMs: vars.INGRAIN_WEBHOOKS_BACKOFF_BASE_MS,
    backoffMaxMs: Math.max(vars.INGRAIN_WEBHOOKS_BACKOFF_MAX_MS, vars.INGRAIN_WEBHOOKS_BACKOFF_BASE_MS),
    batchSize: vars.INGRAIN_WEBHOOKS_BATCH_SIZE,
    allowHttp: vars.INGRAIN_WEBHOOKS_ALLOW_HTTP === 'true',
  };
}
