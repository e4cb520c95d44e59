import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pollUntil, spawnLines, type LineProcess } from './child-process.js';
import { binPath } from '../paths.js';

/** One line of the station's JSON log (`{"time","level","event",…}`). */
export type StationEvent = Readonly<Record<string, unknown>> & { readonly event: string };

export interface StationProcessOptions {
  readonly stationId: string;
  /** The station's API token: written to `<dir>/token` (mode 0600), passed as INGRAIN_STATION_TOKEN_FILE. */
  readonly token: string;
  readonly apiUrl: string;
  readonly redisUrl: string;
  readonly line: string;
  /** Serial ports, one fixture each. */
  readonly fixtures: readonly string[];
  /** The station's own directory: token file, result spool. Kept across restarts. */
  readonly dir: string;
  /** The station's sealing private key (keygen's station-key.pem): INGRAIN_STATION_KEY_FILE. */
  readonly keyFile: string;
  /** Where release requests go (the simulator feeder watches it). */
  readonly releaseDir?: string;
  /** More variables (INGRAIN_LINK_RETRIES, INGRAIN_CHIP_POLL_MS, …). */
  readonly env?: Readonly<Record<string, string>>;
  readonly onEvent?: (event: StationEvent) => void;
}

/** `bin/ingrain-station worker` as its own process; its JSON log is parsed as it comes. */
export class StationProcess {
  readonly events: StationEvent[] = [];
  #process: LineProcess | undefined;

  private constructor(private readonly options: StationProcessOptions) {}

  /** Starts the worker and waits for its `station-started` line. */
  static async start(options: StationProcessOptions): Promise<StationProcess> {
    const station = new StationProcess(options);
    await writeFile(join(options.dir, 'token'), `${options.token}\n`, { mode: 0o600 });
    await station.restart();
    return station;
  }

  get id(): string {
    return this.options.stationId;
  }

  get fixtures(): readonly string[] {
    return this.options.fixtures;
  }

  get running(): boolean {
    return this.#process !== undefined;
  }

  /** Starts the process again after `kill` or `stop` (same spool: pending reports go out first). */
  async restart(): Promise<void> {
    if (this.#process !== undefined) throw new Error(`station ${this.id} is running`);
    const from = this.events.length;
    const started = spawnLines(process.execPath, [binPath('ingrain-station'), 'worker'], {
      env: this.#env(),
      onLine: (line) => this.#onLine(line),
    });
    this.#process = started;
    await this.waitFor('station-started', () => true, {
      from,
      timeoutMs: 30_000,
      abort: () => (started.child.exitCode === null ? undefined : `exited: ${started.lines.slice(-3).join(' | ')}`),
    });
  }

  /** Graceful stop (SIGTERM: running cycles finish and are reported). Resolves with the exit status. */
  async stop(): Promise<number | string | undefined> {
    const running = this.#process;
    this.#process = undefined;
    return running?.stop(60_000);
  }

  /** SIGKILL: the station dies mid-whatever, as on a power cut. */
  async kill(): Promise<void> {
    const running = this.#process;
    this.#process = undefined;
    await running?.kill('SIGKILL');
  }

  /** Events named `event` (optionally matching `where`). */
  named(event: string, where: (entry: StationEvent) => boolean = () => true): StationEvent[] {
    return this.events.filter((entry) => entry.event === event && where(entry));
  }

  /** Waits for an event named `event` matching `where`, logged at index `from` or later. */
  waitFor(
    event: string,
    where: (entry: StationEvent) => boolean,
    options: { timeoutMs?: number; from?: number; abort?: () => string | undefined } = {},
  ): Promise<StationEvent> {
    const from = options.from ?? 0;
    return pollUntil(
      `station ${this.id}: event ${event}`,
      () => this.events.slice(from).find((entry) => entry.event === event && where(entry)),
      { timeoutMs: options.timeoutMs ?? 60_000, intervalMs: 20, abort: options.abort },
    );
  }

  #env(): NodeJS.ProcessEnv {
    const { options } = this;
    return {
      ...process.env,
      INGRAIN_STATION_ID: options.stationId,
      INGRAIN_STATION_TOKEN_FILE: join(options.dir, 'token'),
      INGRAIN_API_URL: options.apiUrl,
      REDIS_URL: options.redisUrl,
      INGRAIN_LINE: options.line,
      INGRAIN_FIXTURES: options.fixtures.join(','),
      INGRAIN_SPOOL_DIR: join(options.dir, 'spool'),
      INGRAIN_STATION_KEY_FILE: options.keyFile,
      ...(options.releaseDir === undefined ? {} : { INGRAIN_FIXTURE_RELEASE_DIR: options.releaseDir }),
      ...options.env,
    };
  }

  #onLine(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = { event: 'output', text: line };
    }
    const entry = { ...(parsed as object), station: this.id } as unknown as StationEvent;
    this.events.push(entry);
    this.options.onEvent?.(entry);
  }
}
