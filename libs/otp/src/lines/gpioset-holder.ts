import { type ChildProcess, spawn } from 'node:child_process';
import { LineDriverError } from './line-driver.js';

/** How long a new gpioset must stay alive to count as holding its lines (it fails within ms). */
const START_GRACE_MS = 50;
/** How long a replaced gpioset may take to exit after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 1_000;

/**
 * Holds GPIO lines of one chip through Debian's libgpiod v1 tools (package `gpiod`, bookworm 1.6):
 * `gpioset --mode=signal CHIP OFFSET=VALUE…` requests the lines on the GPIO character device and
 * keeps them driven until it gets SIGTERM. A change replaces the process with one holding every
 * line at its new level (between the two, the lines are released for a few milliseconds: most
 * GPIO drivers keep an output's level when it is released; docs/fixtures.md says which to check).
 */
export class GpiosetHolder {
  #child: ChildProcess | undefined;

  constructor(
    private readonly chip: string,
    private readonly command = 'gpioset',
  ) {}

  /** The arguments for `levels` (exported for tests: a real chip is rarely there). */
  argsFor(levels: ReadonlyMap<number, boolean>): string[] {
    const lines = [...levels].sort(([a], [b]) => a - b).map(([offset, high]) => `${offset}=${high ? 1 : 0}`);
    return ['--mode=signal', this.chip, ...lines];
  }

  /** @throws LineDriverError when gpioset is missing, or exits at once (no such chip, line busy). */
  async set(levels: ReadonlyMap<number, boolean>): Promise<void> {
    await this.release();
    if (levels.size === 0) return;
    const child = spawn(this.command, this.argsFor(levels), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const fail = (reason: string) => {
        clearTimeout(timer);
        reject(new LineDriverError(`gpioset ${this.chip}: ${reason}`));
      };
      const timer = setTimeout(() => {
        child.removeAllListeners('exit');
        resolve();
      }, START_GRACE_MS);
      child.once('error', (error) => fail(`${error.message} (install Debian's gpiod package)`));
      child.once('exit', (code) => fail(stderr.trim() || `exited with ${code}`));
    });
    this.#child = child;
  }

  /** Stops the holding process (the lines are released). Never throws. */
  async release(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
