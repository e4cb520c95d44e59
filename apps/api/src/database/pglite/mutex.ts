import { DatabaseError } from '../errors.js';

interface Waiter {
  readonly grant: (release: () => void) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * A FIFO lock: `lock()` resolves with a release function once every earlier holder has released.
 * Used to lend PGlite's single session to one Kysely connection (one transaction) at a time.
 */
export class Mutex {
  private held = false;
  private readonly waiters: Waiter[] = [];

  /** True while someone holds the lock. */
  get locked(): boolean {
    return this.held;
  }

  /**
   * Resolves with a one-shot release function when the lock is ours. Rejects with DatabaseError
   * CONNECTION_TIMEOUT after `timeoutMs` (no timeout when undefined); a timed-out waiter never
   * gets the lock.
   */
  lock(timeoutMs?: number): Promise<() => void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { grant: resolve, timer: undefined };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(new DatabaseError('CONNECTION_TIMEOUT', `the database session stayed busy for ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.handOver();
    };
  }

  private handOver(): void {
    const next = this.waiters.shift();
    if (next === undefined) {
      this.held = false;
      return;
    }
    if (next.timer !== undefined) clearTimeout(next.timer);
    next.grant(this.releaser());
  }
}
