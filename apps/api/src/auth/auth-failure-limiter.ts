import type { AuthFailureLimit } from '../config/api-config.js';

const DEFAULT_MAX_TRACKED_ADDRESSES = 10_000;

/**
 * Sliding-window log of authentication failures per client address, in this process's memory:
 * an address with `maxFailures` failures within the last `windowMs` is refused until the oldest
 * of them leaves the window. Several API processes each keep their own window, so the effective
 * limit behind a load balancer is `maxFailures` × processes. Memory stays bounded: at most
 * `maxTrackedAddresses` addresses (the least recently failing one is forgotten first), each with
 * at most `maxFailures` timestamps.
 */
export class AuthFailureLimiter {
  // address → failure times (ms, ascending, at most maxFailures); Map order = least recently failing first.
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly limit: AuthFailureLimit,
    private readonly now: () => number = Date.now,
    private readonly maxTrackedAddresses = DEFAULT_MAX_TRACKED_ADDRESSES,
  ) {}

  /** Milliseconds until `address` may try again; 0 when it may try now. */
  retryAfterMs(address: string): number {
    const times = this.#failures.get(address);
    if (times === undefined || times.length < this.limit.maxFailures) return 0;
    const oldest = times[0] ?? 0;
    const wait = oldest + this.limit.windowMs - this.now();
    if (wait > 0) return wait;
    return 0;
  }

  /** Records one failure of `address`. */
  recordFailure(address: string): void {
    const now = this.now();
    const recent = (this.#failures.get(address) ?? []).filter((time) => time > now - this.limit.windowMs);
    recent.push(now);
    this.#failures.delete(address);
    this.#failures.set(address, recent.slice(-this.limit.maxFailures));
    if (this.#failures.size > this.maxTrackedAddresses) {
      const leastRecent = this.#failures.keys().next();
      if (leastRecent.done !== true) this.#failures.delete(leastRecent.value);
    }
  }

  /** Number of addresses currently tracked (for tests and metrics). */
  get trackedAddresses(): number {
    return this.#failures.size;
  }
}
