import { mkdir, rm } from 'node:fs/promises';
import { answersPing, pollUntil, spawnLines, type LineProcess } from '../testkit/stack/index.js';

const REDIS_SERVER = '/usr/bin/redis-server';

/**
 * The line's Redis, restartable on its port: append-only file fsynced at every write, in a
 * directory kept across restarts. `restart({ persistence: false })` wipes the directory before the
 * start, as a Redis run without persistence (or with its disk lost) comes back empty.
 */
export class ChaosRedis {
  #process: LineProcess | undefined;

  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', ''];
    const persistence = ['--appendonly', 'yes', '--appendfsync', 'always'];
    const started = spawnLines(REDIS_SERVER, [...args, ...persistence, '--daemonize', 'no', '--loglevel', 'warning']);
    this.#process = started;
    await pollUntil('redis-server start', async () => ((await answersPing(this.port)) ? true : undefined), {
      timeoutMs: 20_000,
      intervalMs: 25,
      abort: () => (started.child.exitCode === null ? undefined : `exited: ${started.lines.join(' ')}`),
    });
  }

  /** SIGKILL, `downMs` without Redis, then a start: with what the append-only file kept, or empty. */
  async restart(options: { persistence: boolean; downMs: number }): Promise<void> {
    await this.#process?.kill('SIGKILL');
    this.#process = undefined;
    if (!options.persistence) await rm(this.dir, { recursive: true, force: true });
    await new Promise((resolve) => setTimeout(resolve, options.downMs));
    await this.start();
  }

  async stop(): Promise<void> {
    await this.#process?.stop(5_000);
    this.#process = undefined;
  }
}
