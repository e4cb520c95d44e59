import { type FixturePhase, lineQueueName, redisSentinelOptions } from '#ingrain/contracts';
import { DelayedError, type Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ChipProgrammer, type JobStep } from './cycle/chip-programmer.js';
import { type WorkerConfig } from './config.js';
import { StationApiError, StationError } from './errors.js';
import { DirectoryFixtureControl, type FixtureControl, OperatorFixtureControl } from './fixture/fixture-control.js';
import { FixtureLock } from './fixture/fixture-lock.js';
import { Fixture, type OpenTransport } from './fixture/fixture.js';
import { IdleFixtureSweep } from './fixture/idle-sweep.js';
import { JobFailure } from './job/job-failure.js';
import { parseJobPayload } from './job/job-payload.js';
import { type JobResult, ProvisionJob } from './job/provision-job.js';
import { ResultReporter } from './report/result-reporter.js';
import { ResultSpool } from './report/result-spool.js';
import { StationApi } from './api/station-api.js';
import { apiFetchFor } from './api/tls-agent.js';
import { checkSealingKey, checkStationCredentials, CredentialsWatch } from './api/station-credentials.js';
import { loadStationPrivateKey } from '../keys/station-key-files.js';
import { errorFields, type StationLog } from './station-log.js';
import { FixtureBoard } from './heartbeat/fixture-board.js';
import { HeartbeatSender } from './heartbeat/heartbeat-sender.js';
import { MetricsServer } from './metrics/metrics-server.js';
import { StationMetrics } from './metrics/station-metrics.js';
import { stationVersion } from '../cli/help.js';

/** How long a job waits in `delayed` when the API is unreachable before it is tried again. */
const API_DOWN_DELAY_MS = 5_000;
/** Credential checks (at start while the API is unreachable; while paused on a refused token): 1 s doubling to 30 s. */
const CREDENTIALS_BACKOFF_MS = { initial: 1_000, max: 30_000 } as const;
/** Wait before the first extra cycle after a link-error (doubles per extra cycle). */
const LINK_RETRY_BACKOFF_MS = 200;
/** The idle sweep looks into a fixture at most this often (or every `chipPollMs` when slower). */
const MIN_SWEEP_INTERVAL_MS = 1_000;
/**
 * The idle sweep leaves a chip alone this long after the fixture's last job: a job that failed on
 * the chip is retried by the queue 1 s later (apps/api job-options) and usually comes back here.
 */
const STRANDED_CHIP_GRACE_MS = 5_000;

/** The job steps the heartbeat shows as a programming phase (the others are the fixture's own states). */
const STEP_PHASES: Partial<Record<JobStep, FixturePhase>> = {
  claiming: 'claiming',
  programming: 'connect',
  reporting: 'reporting',
};

/** Test and bench seams; production uses the defaults. */
export interface StationWorkerDeps {
  readonly log: StationLog;
  readonly openTransport?: OpenTransport;
  /** Default: requests to `config.apiUrl`, opening claims with the key of `config.stationKeyFile`. */
  readonly api?: StationApi;
  /** Spool flusher backoff (default 0.5 s doubling to 30 s). */
  readonly flushBackoffMs?: { readonly initial: number; readonly max: number };
  /** Delay of a job whose API calls failed before any write (default 5 s). */
  readonly apiDownDelayMs?: number;
  /** Backoff of the credential checks (default 1 s doubling to 30 s). */
  readonly credentialsBackoffMs?: { readonly initial: number; readonly max: number };
  /** A stop requested while `start` still waits for the API: `start` then throws STATION_SHUTTING_DOWN. */
  readonly signal?: AbortSignal;
}

/** What the station tells about itself: heartbeats to the API, `/metrics` (docs/observability.md). */
interface Observability {
  readonly board: FixtureBoard;
  readonly metrics: StationMetrics;
  readonly heartbeat: HeartbeatSender;
  readonly server: MetricsServer | undefined;
}

interface FixtureSlot {
  readonly fixture: Fixture;
  readonly worker: Worker;
  readonly sweep: IdleFixtureSweep;
}

/**
 * The station's long-running worker: one BullMQ worker (concurrency 1) per fixture on the line's
 * queue, so N fixtures program N chips in parallel; a durable result spool with a background
 * flusher; a graceful stop that lets running cycles finish their current step.
 */
export class StationWorker {
  readonly #shutdown = new AbortController();
  readonly #credentials: CredentialsWatch;
  #stopping: Promise<void> | undefined;

  private constructor(
    private readonly config: WorkerConfig,
    private readonly deps: StationWorkerDeps,
    private readonly connection: Redis,
    private readonly reporter: ResultReporter,
    private readonly slots: FixtureSlot[],
    api: StationApi,
    private readonly observability: Observability,
  ) {
    const backoff = deps.credentialsBackoffMs ?? CREDENTIALS_BACKOFF_MS;
    this.#credentials = new CredentialsWatch({
      api,
      config,
      log: deps.log,
      signal: this.#shutdown.signal,
      initialBackoffMs: backoff.initial,
      maxBackoffMs: backoff.max,
      pause: async () => {
        await Promise.all(slots.map(({ worker }) => worker.pause(true)));
      },
      resume: async () => {
        await Promise.all(slots.map(({ worker }) => worker.resume()));
      },
    });
  }

  /**
   * Checks the station's credentials with the API (waiting while it is unreachable), delivers what
   * the spool holds (once; what the API does not take now goes to the background flusher), then
   * starts one worker per fixture. Nothing is opened or taken from the queue before the API accepted
   * the token and the sealing key the API has registered for the station is the one in
   * `config.stationKeyFile` (loaded first, with its permissions checked).
   * @throws StationKeyError (the key file is missing, too widely readable or not a P-256 key),
   *   StationError `STATION_CREDENTIALS_REJECTED` (see checkStationCredentials),
   *   `STATION_SEALING_KEY_MISMATCH` (no key registered, or another one),
   *   `STATION_SHUTTING_DOWN` (`deps.signal` fired before the API answered), `STATION_SPOOL_IO` when
   *   the spool directory cannot be created.
   */
  static async start(config: WorkerConfig, deps: StationWorkerDeps): Promise<StationWorker> {
    const { log } = deps;
    const key = await loadStationPrivateKey(config.stationKeyFile);
    const api =
      deps.api ??
      new StationApi({
        baseUrl: config.apiUrl,
        token: config.token,
        fetch: apiFetchFor(config),
        sealing: { stationId: config.stationId, privateKey: key.privateKey },
      });
    const credentialsBackoff = deps.credentialsBackoffMs ?? CREDENTIALS_BACKOFF_MS;
    const identity = await checkStationCredentials({
      api,
      config,
      log,
      signal: deps.signal,
      initialBackoffMs: credentialsBackoff.initial,
      maxBackoffMs: credentialsBackoff.max,
    });
    log.write('info', 'station-credentials-accepted', { stationId: identity.id, line: identity.line });
    checkSealingKey(identity, key);
    log.write('info', 'station-sealing-key-registered', { stationId: identity.id, fingerprint: key.fingerprint });
    const spool = new ResultSpool(config.spoolDir);
    await spool.init();
    const backoff = deps.flushBackoffMs;
    const reporter = new ResultReporter(
      spool,
      api,
      log,
      backoff === undefined ? {} : { initialBackoffMs: backoff.initial, maxBackoffMs: backoff.max },
    );
    const startup = await reporter.flushPending().catch((error: unknown) => {
      log.write('error', 'spool-flush-failed', errorFields(error));
      return undefined;
    });
    log.write('info', 'spool-startup-flush', { ...startup });
    reporter.start();
    const observability = await startObservability(config, api, spool, log);
    const connection = new Redis(config.redisUrl, {
      maxRetriesPerRequest: null,
      ...redisSentinelOptions(config.redisSentinel),
    });
    const worker = new StationWorker(config, deps, connection, reporter, [], api, observability);
    const control: FixtureControl =
      config.releaseDir === undefined
        ? new OperatorFixtureControl(log)
        : new DirectoryFixtureControl(config.releaseDir);
    for (const port of config.fixtures) worker.slots.push(worker.#startSlot(port, api, control));
    log.write('info', 'station-started', {
      stationId: config.stationId,
      queue: lineQueueName(config.line),
      fixtures: config.fixtures.join(','),
      spoolDir: config.spoolDir,
      jobLockMs: config.jobLockMs,
      heartbeatMs: config.heartbeatMs,
      metricsPort: observability.server?.port,
    });
    observability.heartbeat.start();
    return worker;
  }

  /**
   * Graceful stop: no job is taken any more; a job waiting for a chip goes back to the queue; a
   * running cycle stops before its first write, or finishes its write-verify-lock tail, and its
   * report is spooled; then the ports close and the spool is flushed once more. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const { log } = this.deps;
    log.write('info', 'station-stopping', { stationId: this.config.stationId });
    this.#shutdown.abort();
    await Promise.all(this.slots.flatMap(({ worker, sweep }) => [worker.close(), sweep.stopped()]));
    await this.reporter.stop();
    const last = await this.reporter.flushPending().catch(() => undefined);
    await Promise.all(this.slots.map(({ fixture }) => fixture.close()));
    await this.observability.heartbeat.stop();
    await this.observability.server?.close();
    await this.connection.quit().catch(() => this.connection.disconnect());
    log.write('info', 'station-stopped', { stationId: this.config.stationId, spoolRemaining: last?.remaining });
  }

  #startSlot(port: string, api: StationApi, control: FixtureControl): FixtureSlot {
    const { config, deps } = this;
    const fixture = new Fixture({
      port,
      baudRate: config.baudRate,
      control,
      log: deps.log,
      pollMs: config.chipPollMs,
      openTransport: deps.openTransport,
      lines: config.fixtureLines.get(port),
      startApplication: config.startApplication,
      observe: (event) => this.observability.board.fixture(port, event),
    });
    const programmer = new ChipProgrammer({
      fixture,
      api,
      reporter: this.reporter,
      log: deps.log,
      linkRetries: config.linkRetries,
      linkRetryBackoffMs: LINK_RETRY_BACKOFF_MS,
      observer: {
        phase: (phase) => this.observability.board.step(port, phase),
        cycleFinished: (result, finishedAt) => {
          this.observability.board.cycleFinished(port, result, finishedAt);
          this.observability.metrics.cycleFinished(result);
          // A link error is worth a look (cable, power, BOOT0): warn, with its code.
          if (result.outcome === 'link-error')
            deps.log.write('warn', 'cycle-link-error', {
              fixture: port,
              code: result.error?.code ?? 'UNKNOWN',
              phase: result.error?.phase,
              stage: result.error?.stage ?? undefined,
            });
        },
      },
    });
    const job = new ProvisionJob({ fixture, api, programmer, log: deps.log });
    const lock = new FixtureLock();
    const worker = new Worker(
      lineQueueName(config.line),
      (bullJob: Job, token?: string) => this.#process(job, fixture, lock, bullJob, token),
      {
        connection: this.connection,
        concurrency: 1,
        name: `${config.stationId}@${port}`,
        // A SIGKILLed station's job is re-offered once its lock lapses and a stalled check sees it.
        lockDuration: config.jobLockMs,
        stalledInterval: config.jobLockMs,
      },
    );
    this.#watch(worker, port);
    return { fixture, worker, sweep: this.#startSweep(fixture, programmer, api, lock) };
  }

  /** Logs the queue's view of the fixture's jobs. */
  #watch(worker: Worker, port: string): void {
    const { deps } = this;
    worker.on('error', (error) => deps.log.write('error', 'queue-error', { fixture: port, ...errorFields(error) }));
    worker.on('failed', (failed, error) =>
      deps.log.write('warn', 'job-failed', {
        fixture: port,
        jobId: failed?.id,
        attemptsMade: failed?.attemptsMade,
        ...errorFields(error),
      }),
    );
    worker.on('completed', (completed) =>
      deps.log.write('info', 'job-completed', { fixture: port, jobId: completed.id }),
    );
  }

  #startSweep(fixture: Fixture, programmer: ChipProgrammer, api: StationApi, lock: FixtureLock): IdleFixtureSweep {
    const sweep = new IdleFixtureSweep({
      fixture,
      programmer,
      api,
      lock,
      log: this.deps.log,
      intervalMs: Math.max(this.config.chipPollMs, MIN_SWEEP_INTERVAL_MS),
      graceMs: STRANDED_CHIP_GRACE_MS,
      signal: this.#shutdown.signal,
    });
    sweep.start();
    return sweep;
  }

  async #process(
    runner: ProvisionJob,
    fixture: Fixture,
    lock: FixtureLock,
    job: Job,
    token: string | undefined,
  ): Promise<JobResult> {
    const jobId = job.id ?? 'unknown';
    try {
      const payload = parseJobPayload(job.data);
      this.deps.log.write('info', 'job-started', {
        fixture: fixture.port,
        jobId,
        deviceId: payload.deviceId,
        attempt: job.attemptsMade + 1,
      });
      // The job waits for a running sweep step on its fixture; no sweep step starts while it runs.
      return await lock.forJob(() =>
        runner.run(payload, {
          jobId,
          signal: this.#shutdown.signal,
          progress: (step, fields) => this.#progress(job, fixture.port, step, fields),
        }),
      );
    } catch (error) {
      const code = failureCode(error);
      if (code !== undefined) this.observability.board.failed(fixture.port, code);
      throw await this.#toQueueError(error, job, token);
    }
  }

  #progress(job: Job, fixture: string, step: JobStep, fields: Readonly<Record<string, string | number>> = {}): void {
    const progress = { step, fixture, ...fields };
    this.deps.log.write('info', `job-${step}`, { jobId: job.id, ...progress });
    const phase = STEP_PHASES[step];
    const deviceId = typeof fields['deviceId'] === 'string' ? fields['deviceId'] : undefined;
    if (phase !== undefined) this.observability.board.step(fixture, phase, deviceId);
    // Progress is informative: a Redis hiccup must not fail the cycle.
    job.updateProgress(progress).catch(() => undefined);
    job.log(`${step} ${JSON.stringify(fields)}`).catch(() => undefined);
  }

  /**
   * Maps a job's failure to BullMQ: final ones → UnrecoverableError (never retried); a shutdown →
   * back to `wait` without using an attempt; an unreachable API, or one refusing the station's
   * token (401, 403: the station also stops taking jobs, see CredentialsWatch) → `delayed` without
   * using an attempt: neither says anything about the device, and another station may take the job;
   * other API refusals (404, 409, 422, …: the request itself) → UnrecoverableError; anything else → a
   * normal failure, retried with the job's backoff.
   */
  async #toQueueError(error: unknown, job: Job, token: string | undefined): Promise<Error> {
    const tag = (code: string, message: string) => `${code}: ${message}`;
    if (error instanceof JobFailure && error.final) return new UnrecoverableError(tag(error.code, error.message));
    if (error instanceof StationError && error.code === 'STATION_JOB_INVALID')
      return new UnrecoverableError(tag(error.code, error.message));
    if (error instanceof StationApiError && error.credentialsRefused) this.#credentials.refused(error);
    if (error instanceof StationApiError && !error.transient && !error.credentialsRefused)
      return new UnrecoverableError(tag(error.code, error.message));
    if (error instanceof StationError && error.code === 'STATION_SHUTTING_DOWN' && token !== undefined) {
      await job.moveToWait(token);
      return new WaitingError();
    }
    if (error instanceof StationApiError && token !== undefined) {
      const event = error.credentialsRefused ? 'api-refused-credentials-job-delayed' : 'api-unreachable-job-delayed';
      this.deps.log.write('warn', event, { jobId: job.id, status: error.status, ...errorFields(error) });
      await job.moveToDelayed(Date.now() + (this.deps.apiDownDelayMs ?? API_DOWN_DELAY_MS), token);
      return new DelayedError();
    }
    if (error instanceof Error) return error;
    return new Error(String(error));
  }
}

/**
 * Starts what the station tells about itself: the fixture board, the metrics (and their server when
 * a port is configured) and the heartbeat sender (started once the slots exist).
 * @throws StationError `STATION_CONFIG_INVALID` when the metrics address cannot be bound.
 */
async function startObservability(
  config: WorkerConfig,
  api: StationApi,
  spool: ResultSpool,
  log: StationLog,
): Promise<Observability> {
  const board = new FixtureBoard(config.fixtures);
  const metrics = new StationMetrics(() => spool.count());
  const server =
    config.metricsPort === undefined
      ? undefined
      : await MetricsServer.start(metrics, config.metricsHost, config.metricsPort);
  const heartbeat = new HeartbeatSender({
    api,
    board,
    log,
    intervalMs: config.heartbeatMs,
    version: stationVersion(),
    sent: () => metrics.heartbeatSent(),
    failed: () => metrics.heartbeatFailed(),
  });
  return { board, metrics, heartbeat, server };
}

/** The code a failed job shows on its fixture; undefined for a stop or an API that is only unreachable. */
function failureCode(error: unknown): string | undefined {
  if (error instanceof StationApiError) return error.transient || error.credentialsRefused ? undefined : error.code;
  if (error instanceof StationError) return error.code === 'STATION_SHUTTING_DOWN' ? undefined : error.code;
  if (error instanceof JobFailure) return error.code;
  return undefined;
}
