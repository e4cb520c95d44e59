// Shared set-up of the station worker's integration tests: a throwaway Redis, the simulator in
// feeder mode over real ptys, the fake station API, a line queue, and worker configurations.
// Each test file builds its own harness (own Redis, ptys, temp dirs) and closes it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Job, Queue } from 'bullmq';
import { lineQueueName, parseStationReport } from '#ingrain/contracts';
import { type ChipFamily, getProfile } from '#ingrain/otp';
import { type WorkerConfig } from '../../apps/station/src/worker/config.js';
import { generateStationKeyFiles, type GeneratedStationKey } from '../../apps/station/src/keys/station-key-files.js';
import { type LogFields, type StationLog } from '../../apps/station/src/worker/station-log.js';
import { StationWorker, type StationWorkerDeps } from '../../apps/station/src/worker/station-worker.js';
import {
  type FakeIdentity,
  type FakeStationApi,
  type FakeStationApiOptions,
  startFakeStationApi,
  testIdentity,
} from '../../apps/station/src/worker/testing/fake-station-api.js';
import { SimulatedDevice, type Simulator, type SimulatorOptions, startSimulator } from '../support/simulator.js';
import { type ReleasedChip } from '../../apps/simulator/src/index.js';
import { pollUntil, startRedis, type RedisServer } from '../../testkit/stack/index.js';

export const STATION_TOKEN = `ingr_${'t'.repeat(43)}`;
export const LINE = 'line-test';

/** Retries of a test job: like the API's (docs/api.md "Jobs"), with a short backoff. */
export const TEST_JOB_OPTIONS = { attempts: 5, backoff: { type: 'exponential', delay: 100 } } as const;

/** A log that keeps every event, for assertions (and prints nothing). */
export class MemoryLog implements StationLog {
  readonly events: ({ level: string; event: string } & LogFields)[] = [];
  write(level: string, event: string, fields: LogFields = {}): void {
    this.events.push({ level, event, ...fields });
  }
  named(event: string): ({ level: string; event: string } & LogFields)[] {
    return this.events.filter((entry) => entry.event === event);
  }
}

export interface HarnessOptions {
  readonly family?: ChipFamily;
  readonly fixtures: number;
  readonly chipsPerFixture?: number;
  readonly simulator?: Partial<SimulatorOptions>;
  readonly api?: Partial<FakeStationApiOptions>;
}

export interface WorkerHarness {
  readonly redis: RedisServer;
  readonly sim: Simulator;
  readonly api: FakeStationApi;
  readonly queue: Queue;
  readonly dir: string;
  readonly family: ChipFamily;
  readonly releaseDir: string;
  readonly spoolDir: string;
  /** The station's key pair (keygen's files in `dir`); the fake API has its public key registered. */
  readonly stationKey: GeneratedStationKey;
  config(overrides?: Partial<WorkerConfig>): WorkerConfig;
  /** Starts an in-process worker with a MemoryLog; stopped by close() if still running. */
  startWorker(
    overrides?: Partial<WorkerConfig>,
    deps?: Partial<StationWorkerDeps>,
  ): Promise<{ station: StationWorker; log: MemoryLog }>;
  /** Registers an identity in the fake API and enqueues its job (job id = device id). */
  addJob(deviceId: string, seed: number, identity?: FakeIdentity): Promise<Job>;
  close(): Promise<void>;
}

/** Starts everything a worker test needs; `close()` undoes it all. */
export async function startWorkerHarness(options: HarnessOptions): Promise<WorkerHarness> {
  const family = options.family ?? 'stm32f4';
  const dir = await mkdtemp(join(tmpdir(), 'ingrain-station-worker-'));
  const releaseDir = join(dir, 'releases');
  const spoolDir = join(dir, 'spool');
  const stations: StationWorker[] = [];
  const closers: (() => Promise<void>)[] = [() => rm(dir, { recursive: true, force: true })];
  const close = async () => {
    await Promise.all(stations.map((station) => station.stop()));
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    const redis = await startRedis();
    closers.push(() => redis.stop());
    const sim = await startSimulator({
      family,
      count: options.fixtures,
      stateDir: join(dir, 'chips'),
      feeder: { chipsPerFixture: options.chipsPerFixture, releaseDir },
      ...options.simulator,
    });
    closers.push(() => sim.close());
    const stationKey = await generateStationKeyFiles(join(dir, 'station-key'));
    const api = await startFakeStationApi({
      token: STATION_TOKEN,
      validateReport: parseStationReport,
      stationPublicKey: stationKey.publicKey,
      ...options.api,
    });
    closers.push(() => api.close());
    const queue = new Queue(lineQueueName(LINE), { connection: { url: redis.url } });
    closers.push(() => queue.close());
    const config = (overrides: Partial<WorkerConfig> = {}): WorkerConfig => ({
      stationId: 'station-1',
      token: STATION_TOKEN,
      apiUrl: api.url,
      redisUrl: redis.url,
      line: LINE,
      fixtures: sim.devices.map((device) => device.port),
      baudRate: 115_200,
      spoolDir,
      stationKeyFile: stationKey.privateKeyPath,
      releaseDir,
      shutdownGraceMs: 30_000,
      linkRetries: 2,
      chipPollMs: 20,
      jobLockMs: 30_000,
      allowPlainHttp: false,
      fixtureLines: new Map(),
      startApplication: 'none',
      heartbeatMs: 1_000,
      metricsPort: undefined,
      metricsHost: '127.0.0.1',
      ...overrides,
    });
    return {
      redis,
      sim,
      api,
      queue,
      dir,
      family,
      releaseDir,
      spoolDir,
      stationKey,
      config,
      async startWorker(overrides = {}, deps = {}) {
        const log = new MemoryLog();
        const station = await StationWorker.start(config(overrides), {
          log,
          flushBackoffMs: { initial: 50, max: 200 },
          apiDownDelayMs: 200,
          ...deps,
        });
        stations.push(station);
        return { station, log };
      },
      async addJob(deviceId, seed, identity = testIdentity(family, seed)) {
        api.addDevice(deviceId, identity);
        return queue.add(
          'provision',
          { deviceId, productId: 'fake-product', layoutVersion: 1 },
          { ...TEST_JOB_OPTIONS, jobId: deviceId },
        );
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Polls `probe` until it returns something other than undefined (the test's own timeout bounds it). */
export function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  return pollUntil(`waiting for ${what}`, probe, { timeoutMs, intervalMs: 25 });
}

/** Waits until the feeder has carried out the release of chip `uidHex` (release files are asynchronous). */
export async function released(harness: WorkerHarness, uidHex: string): Promise<ReleasedChip> {
  return waitFor(`the release of chip ${uidHex}`, () =>
    harness.sim.feeder?.released().find((chip) => chip.uidHex === uidHex),
  );
}

/** Waits until the job is completed or failed; returns its final state. */
export async function settled(queue: Queue, jobId: string): Promise<{ state: string; job: Job }> {
  return waitFor(`job ${jobId} to settle`, async () => {
    const state = await queue.getJobState(jobId);
    if (state !== 'completed' && state !== 'failed') return undefined;
    const job = await queue.getJob(jobId); // read after it settled: its return value and failure are in
    return job === undefined ? undefined : { state, job };
  });
}

/** A device id the API would make (a UUID), distinct per `n`. */
export function deviceId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** Lower-case hex of a chip's OTP data and lock bytes. */
export function otpHex(data: Uint8Array): string {
  return Buffer.from(data).toString('hex');
}

/** A chip holding `identity`'s data in `blocks` (the others blank), locked as `lockedBlocks` say. */
export function craftedChip(
  identity: FakeIdentity,
  uidHex: string,
  blocks: readonly number[],
  lockedBlocks: readonly number[],
): SimulatedDevice {
  const profile = getProfile(identity.family);
  const data = new Uint8Array(identity.data.length).fill(0xff);
  for (const block of blocks) {
    const start = block * profile.blockSizeBytes;
    data.set(identity.data.subarray(start, start + profile.blockSizeBytes), start);
  }
  const locks = new Uint8Array(profile.blockCount).fill(0xff);
  for (const block of lockedBlocks) locks[block] = 0;
  return new SimulatedDevice({
    family: identity.family,
    state: {
      formatVersion: 1,
      family: identity.family,
      productId: profile.productIds[0] ?? 0,
      uidHex,
      dataHex: otpHex(data),
      lockBytesHex: otpHex(locks),
      damaged: [],
    },
  });
}
