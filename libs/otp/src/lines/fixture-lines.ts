import { setTimeout as sleep } from 'node:timers/promises';
import { type ModemLines } from '../transport/index.js';
import { type LineDriver } from './line-driver.js';
import { BREAK_PULSE_MS, type FixtureSequences, type LineStep } from './line-sequence.js';

/** The modem lines right after a port is opened on Linux: both raised (a kernel rule). */
const AFTER_OPEN: ModemLines = { dtr: true, rts: true };

/**
 * Runs a fixture's entry and exit sequences on a `LineDriver`, tracking the level of every line
 * so that a step changes only the line it names (DTR and RTS are always set together, since the
 * OS call sets both: the one not named keeps its level). Consecutive signals with no pause between
 * them are applied in one call per kind (modem lines, GPIO).
 */
export class FixtureLines {
  #modem: ModemLines = AFTER_OPEN;
  readonly #gpio = new Map<number, boolean>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly sequences: FixtureSequences,
    private readonly driver: LineDriver,
  ) {}

  /** Whether an exit sequence is configured (else the application is started with Go, if at all). */
  get hasExit(): boolean {
    return this.sequences.exit !== undefined;
  }

  /** The modem lines as last driven (or as the kernel left them at open). */
  get modemLines(): ModemLines {
    return this.#modem;
  }

  /**
   * After the port was opened (which raised DTR and RTS): drives the modem lines the sequences use
   * to where the exit sequence (or, without one, the entry sequence) leaves them, so the chip is
   * not left held in reset or in its bootloader by the open. Lines no sequence names are not touched.
   */
  async settleAfterOpen(): Promise<void> {
    const rest = restingModemLines(this.sequences.exit ?? this.sequences.entry, this.#modem);
    if (rest === undefined) return;
    await this.#serialise(async () => {
      await this.driver.setModemLines(rest);
      this.#modem = rest;
    });
  }

  /** Runs the entry sequence (reset into the bootloader). @throws LineDriverError */
  enterBootloader(): Promise<void> {
    return this.#serialise(() => this.#run(this.sequences.entry));
  }

  /** Runs the exit sequence (start the application); nothing without one. @throws LineDriverError */
  exitBootloader(): Promise<void> {
    return this.#serialise(() => this.#run(this.sequences.exit ?? []));
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  async #run(steps: readonly LineStep[]): Promise<void> {
    let modem: ModemLines | undefined;
    let gpioChanged = false;
    const flush = async () => {
      if (modem !== undefined) {
        await this.driver.setModemLines(modem);
        this.#modem = modem;
        modem = undefined;
      }
      if (gpioChanged) {
        await this.driver.setGpio(new Map(this.#gpio));
        gpioChanged = false;
      }
    };
    for (const step of steps) {
      if (step.kind === 'wait') {
        await flush();
        await sleep(step.durationMs);
        continue;
      }
      const { line, on } = step;
      if (line.kind === 'dtr' || line.kind === 'rts') modem = { ...(modem ?? this.#modem), [line.kind]: on };
      else if (line.kind === 'gpio') {
        this.#gpio.set(line.offset, on);
        gpioChanged = true;
      } else if (on) {
        await flush();
        await this.driver.sendBreak(BREAK_PULSE_MS); // `-brk` does nothing, as in stm32flash
      }
    }
    await flush();
  }

  #serialise<T>(run: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}

/** The modem lines after `steps` ran from `start`; undefined if they name neither DTR nor RTS. */
function restingModemLines(steps: readonly LineStep[], start: ModemLines): ModemLines | undefined {
  let lines = start;
  let named = false;
  for (const step of steps) {
    if (step.kind !== 'set' || (step.line.kind !== 'dtr' && step.line.kind !== 'rts')) continue;
    lines = { ...lines, [step.line.kind]: step.on };
    named = true;
  }
  return named ? lines : undefined;
}
