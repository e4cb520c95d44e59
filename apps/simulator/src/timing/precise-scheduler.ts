import { performance } from 'node:perf_hooks';

/** setTimeout fires up to ~1 ms late (libuv's millisecond clock): wake this much early and spin. */
const DEFAULT_SPIN_WINDOW_MS = 2;

/**
 * Runs one task at a given `performance.now()` time. Coarse waits use setTimeout; a precise wait
 * wakes `spinWindowMs` early and then polls with setImmediate (which lets I/O run) until due, so
 * lateness stays in the tens of microseconds instead of up to a millisecond.
 */
export class PreciseScheduler {
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;

  constructor(
    private readonly now: () => number = () => performance.now(),
    readonly spinWindowMs = DEFAULT_SPIN_WINDOW_MS,
  ) {}

  /** Replaces any pending task. `precise` false skips the spin (the task may run ~1 ms late). */
  schedule(dueAtMs: number, precise: boolean, task: () => void): void {
    this.cancel();
    this.wait(dueAtMs, precise, task);
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private wait(dueAtMs: number, precise: boolean, task: () => void): void {
    this.timer = undefined;
    this.immediate = undefined;
    const remainingMs = dueAtMs - this.now();
    if (remainingMs <= 0) {
      task();
    } else if (!precise) {
      this.timer = setTimeout(() => this.wait(dueAtMs, precise, task), remainingMs);
    } else if (remainingMs > this.spinWindowMs) {
      this.timer = setTimeout(() => this.wait(dueAtMs, precise, task), remainingMs - this.spinWindowMs);
    } else {
      this.immediate = setImmediate(() => this.wait(dueAtMs, precise, task));
    }
  }
}
