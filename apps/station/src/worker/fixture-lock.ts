/**
 * Who may use a fixture right now: its job, or a step of its idle sweep, never both. A job waits
 * for a running sweep step to end; a sweep step never starts while a job runs or waits. Also keeps
 * how long the fixture has been without a job (the sweep leaves a just-failed chip to the job's
 * retry for a while).
 */
export class FixtureLock {
  #jobs = 0;
  #jobsEnded = 0;
  #sweepStep: Promise<void> | undefined;
  #idleSinceMs = performance.now();

  /** Jobs that ended on the fixture so far (a chip's binding can only change under a job). */
  get jobsEnded(): number {
    return this.#jobsEnded;
  }

  /** Milliseconds since the last job ended (or since the lock was made); 0 while a job runs or waits. */
  idleMs(): number {
    return this.#jobs > 0 ? 0 : performance.now() - this.#idleSinceMs;
  }

  /** Runs a job's work once no sweep step runs. Rejects as `work` does. */
  async forJob<T>(work: () => Promise<T>): Promise<T> {
    this.#jobs++;
    try {
      await this.#sweepStep;
      return await work();
    } finally {
      this.#jobs--;
      this.#jobsEnded++;
      this.#idleSinceMs = performance.now();
    }
  }

  /**
   * Runs a sweep step when the fixture is free; returns undefined (running nothing) while a job
   * runs or waits, or another sweep step runs. Rejects as `work` does.
   */
  forSweep<T>(work: () => Promise<T>): Promise<T> | undefined {
    if (this.#jobs > 0 || this.#sweepStep !== undefined) return undefined;
    const step = (async () => work())(); // a synchronous throw becomes a rejection too
    const ended = step.then(
      () => undefined,
      () => undefined,
    );
    this.#sweepStep = ended;
    void ended.then(() => {
      if (this.#sweepStep === ended) this.#sweepStep = undefined;
    });
    return step;
  }
}
