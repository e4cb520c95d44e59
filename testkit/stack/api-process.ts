import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pollUntil, spawnLines, type LineProcess } from './child-process.js';
import { binPath } from '../paths.js';

const run = promisify(execFile);
/** PGlite's first start takes about 4 s on these machines; a reopen well under one. */
const START_TIMEOUT_MS = 60_000;

export interface ApiProcessOptions {
  /** PGlite data directory (INGRAIN_DATA_DIR), kept across restarts. Unused with `databaseUrl`. */
  readonly dataDir: string;
  /** A PostgreSQL URL (DATABASE_URL) instead of PGlite: several API processes can share it. */
  readonly databaseUrl?: string;
  readonly publicKeysDir: string;
  /** SOFTHSM2_CONF and INGRAIN_HSM_* (hsm-token.ts). */
  readonly hsmEnv: Readonly<Record<string, string>>;
  readonly redisUrl: string;
  readonly port: number;
  /** Default `ingrain.local/log`. */
  readonly logOrigin?: string;
  /** Default `warn`. */
  readonly logLevel?: string;
  /** More variables (e.g. INGRAIN_STATION_OFFLINE_AFTER_MS, INGRAIN_WEBHOOKS_*). */
  readonly env?: Readonly<Record<string, string>>;
  readonly onLine?: (line: string) => void;
}

/** `bin/ingrain-api` as its own process, on a fixed port so that it can be stopped and started again. */
export class ApiProcess {
  #process: LineProcess | undefined;

  constructor(private readonly options: ApiProcessOptions) {}

  /** http://127.0.0.1:<port> */
  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ...this.options.hsmEnv,
      HOST: '127.0.0.1',
      PORT: String(this.options.port),
      REDIS_URL: this.options.redisUrl,
      ...(this.options.databaseUrl === undefined
        ? { INGRAIN_DATA_DIR: this.options.dataDir }
        : { DATABASE_URL: this.options.databaseUrl }),
      INGRAIN_PUBLIC_KEYS_DIR: this.options.publicKeysDir,
      INGRAIN_LOG_ORIGIN: this.options.logOrigin ?? 'ingrain.local/log',
      LOG_LEVEL: this.options.logLevel ?? 'warn',
      ...this.options.env,
    };
  }

  /** Every line the running (or last) process wrote. */
  get lines(): readonly string[] {
    return this.#process?.lines ?? [];
  }

  get pid(): number | undefined {
    return this.#process?.child.pid;
  }

  /**
   * Creates an API token straight in the database (`ingrain-admin token create`): only while the API
   * is stopped, as PGlite has one writer. Returns the secret.
   */
  async createToken(role: 'admin' | 'mes' | 'station' | 'auditor', name: string): Promise<string> {
    if (this.#process !== undefined && this.options.databaseUrl === undefined)
      throw new Error('createToken: stop the API first (PGlite has one writer)');
    const args = [binPath('ingrain-admin'), 'token', 'create', '--role', role, '--name', name, '--json'];
    const { stdout } = await run(process.execPath, args, { env: this.env });
    return (JSON.parse(stdout) as { token: string }).token;
  }

  /** Starts the API and waits until /health/ready answers 200. */
  async start(): Promise<void> {
    if (this.#process !== undefined) throw new Error('the API is already running');
    const started = spawnLines(process.execPath, [binPath('ingrain-api')], {
      env: this.env,
      onLine: this.options.onLine,
    });
    this.#process = started;
    try {
      await pollUntil('the API to be ready', () => this.#ready(), {
        timeoutMs: START_TIMEOUT_MS,
        intervalMs: 100,
        abort: () =>
          started.child.exitCode === null ? undefined : `exited with ${started.child.exitCode}: ${tail(started)}`,
      });
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** SIGTERM (graceful: in-flight requests finish), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    const running = this.#process;
    this.#process = undefined;
    await running?.stop();
  }

  /** SIGKILL: the API dies as in a crash or a power cut. */
  async kill(): Promise<void> {
    const running = this.#process;
    this.#process = undefined;
    await running?.kill('SIGKILL');
  }

  async #ready(): Promise<true | undefined> {
    try {
      const response = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      return response.status === 200 ? true : undefined;
    } catch {
      return undefined;
    }
  }
}

function tail(process: LineProcess): string {
  return process.lines.slice(-5).join(' | ');
}
