/** The retry schedule of a delivery (docs/webhooks.md § Retries). */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * The delay before the retry that follows failed attempt `attempt` (1, 2, …): exponential
 * (`baseMs · 2^(attempt-1)`, capped at `maxMs`) with "equal jitter" — half of it fixed, half random
 * — so receivers recovering from an outage are not hit by every sender at once, and a retry never
 * comes sooner than half the exponential step. `random` returns [0, 1).
 */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 52);
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(step / 2 + random() * (step / 2));
}
