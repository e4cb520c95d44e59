import { CYCLE_PHASES, type CycleProgressEvent, type CyclePhase } from './types.js';

/** Accumulates per-phase durations with an injectable clock and reports phase events. */
export class PhaseTimer {
  private readonly durations = Object.fromEntries(CYCLE_PHASES.map((p) => [p, 0])) as Record<CyclePhase, number>;
  private current: CyclePhase = 'connect';

  constructor(
    private readonly clock: () => number,
    private readonly onProgress: ((event: CycleProgressEvent) => void) | undefined,
  ) {}

  /** The phase running now (or last run). */
  get phase(): CyclePhase {
    return this.current;
  }

  get durationsMs(): Readonly<Record<CyclePhase, number>> {
    return { ...this.durations };
  }

  /** Runs `step` as `phase`; its duration is added even when it throws. */
  async run<T>(phase: CyclePhase, step: () => T | Promise<T>): Promise<T> {
    this.current = phase;
    this.onProgress?.({ type: 'phase-start', phase });
    const startMs = this.clock();
    try {
      return await step();
    } finally {
      const durationMs = this.clock() - startMs;
      this.durations[phase] += durationMs;
      this.onProgress?.({ type: 'phase-end', phase, durationMs });
    }
  }
}
