import { setTimeout as sleep } from 'node:timers/promises';
import { type BoundChipDeps, finishBoundChip } from './bound-chip.js';
import { type ChipPresence } from './chip-probe.js';
import { type JobStep, type ProgrammingContext } from './chip-programmer.js';
import { StationError } from './errors.js';
import { type FixtureLock } from './fixture-lock.js';
import { type StationApi } from './station-api.js';
import { errorFields } from './station-log.js';

export interface IdleSweepOptions extends BoundChipDeps {
  readonly api: Pick<StationApi, 'bindingFor'>;
  readonly lock: FixtureLock;
  /** Pause between two looks into the idle fixture. */
  readonly intervalMs: number;
  /**
   * How long the fixture must have been without a job before the sweep acts: a job that just
   * failed on this chip (a link error) is retried by the queue within seconds and usually comes back.
   */
  readonly graceMs: number;
  /** The station's shutdown: the sweep ends after its current step. */
  readonly signal: AbortSignal;
}

/**
 * The idle-fixture sweep: while no job uses the fixture, it looks in now and then; a chip the
 * fixture has not released whose binding names a `claimed` device is stranded (left by a job that
 * failed here, or by a station that stopped or died) and is finished here with its own identity; a
 * chip of a provisioned, quarantined or scrapped device goes to its bin. An unbound chip, or one
 * bound to a `queued` device, is left for a job (its binding is looked up once, until a job ran).
 */
export class IdleFixtureSweep {
  #loop: Promise<void> | undefined;
  /** The chip last found waiting for a job, and the job count then (a job may have claimed it since). */
  #waiting: { readonly uid: string; readonly jobsEnded: number } | undefined;
  #lastFailure: string | undefined;

  constructor(private readonly options: IdleSweepOptions) {}

  /** Starts the sweep (idempotent). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Resolves once the sweep ended (after the station's shutdown signal, its current step done). */
  async stopped(): Promise<void> {
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { signal, lock } = this.options;
    while (!signal.aborted) {
      await sleep(this.options.intervalMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted || lock.idleMs() < this.options.graceMs) continue;
      const step = lock.forSweep(() => this.#step());
      if (step === undefined) continue; // a job uses the fixture
      try {
        await step;
        this.#lastFailure = undefined;
      } catch (error) {
        this.#failed(error);
      }
    }
  }

  /** One look: a chip to act on is finished or released; anything else is left as it is. */
  async #step(): Promise<void> {
    const { fixture, api, log } = this.options;
    const chip = await fixture.look();
    if (chip === undefined) {
      this.#waiting = undefined;
      return;
    }
    const jobsEnded = this.options.lock.jobsEnded;
    if (this.#waiting?.uid === chip.uid && this.#waiting.jobsEnded === jobsEnded) return; // looked up already
    const binding = await api.bindingFor(chip.uid);
    if (binding === undefined || binding.state === 'queued') {
      this.#waiting = { uid: chip.uid, jobsEnded };
      log.write('info', 'chip-waits-for-job', { fixture: fixture.port, chipUid: chip.uid, boundState: binding?.state });
      return;
    }
    log.write('info', 'stranded-chip-found', {
      fixture: fixture.port,
      chipUid: chip.uid,
      boundDeviceId: binding.deviceId,
      boundState: binding.state,
    });
    await finishBoundChip(this.options, chip, binding, this.#context(chip));
  }

  #context(chip: ChipPresence): ProgrammingContext {
    const { fixture, log, signal } = this.options;
    return {
      jobId: undefined,
      signal,
      progress: (step: JobStep, fields: Readonly<Record<string, string | number>> = {}) =>
        log.write('info', `sweep-${step}`, { fixture: fixture.port, chipUid: chip.uid, ...fields }),
    };
  }

  /** A failed step leaves the chip where it is (resumable); the next look tries again. */
  #failed(error: unknown): void {
    if (error instanceof StationError && error.code === 'STATION_SHUTTING_DOWN') return;
    const fields = errorFields(error);
    const failure = String(fields['errorCode']);
    // One line per streak of the same failure (an API outage would otherwise log every interval).
    if (failure === this.#lastFailure) return;
    this.#lastFailure = failure;
    this.options.log.write('warn', 'idle-sweep-failed', { fixture: this.options.fixture.port, ...fields });
  }
}
