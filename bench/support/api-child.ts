// bench:api's API process: the real app (testkit/api.ts startTestApi: SoftHSM, Redis, PGlite or a
// local PostgreSQL server) in a child process of its own, so that its CPU and memory are the API's
// alone — the load generator runs in the parent. The parent drives it over IPC: catalog rows and
// tokens at start, then around each measured row `begin` (spans reset, CPU and peak RSS marked) and
// `end` (CPU, the PostgreSQL server's CPU, spans, peak and final RSS), and the raw HSM rate.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ModulesContainer } from '@nestjs/core';
import { Hsm } from '#ingrain/crypto';
import { parseLayout } from '#ingrain/otp';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { seedCatalogRows, type ExampleLayout } from '../../testkit/catalog-rows.js';
import { measureRawPairs, type RawRate } from './api-raw-hsm.js';
import { findPostmaster, ownMemory, postgresCpuMs, resetPeakRss } from './api-proc.js';
import { SpanSet, type SpanSpec, type SpanTotals } from './api-spans.js';

export type DatabaseKind = 'pglite' | 'postgres';

/** Sessions in parallel for the raw rate: the token's session pool (INGRAIN_HSM_SESSION_POOL_SIZE, 4). */
export const RAW_PARALLEL = 4;

// The identity whose only HSM work is what the raw rate measures: a key pair and the certificate
// signature (its fingerprint in OTP, a serial input).
const KEY_ONLY_LAYOUT = `
name: bench-key-only
version: 1
family: stm32f4
fields:
  - { name: serial, block: 0, offset: 0, type: ascii, length: 16, source: input }
  - { name: pubkey_hash, block: 1, offset: 0, type: bytes, length: 32, source: generated, generator: device-public-key-sha256 }
lock: [0, 1]
`;

export const LAYOUTS = ['bench-key-only', 'sensor-node'] as const;
export type LayoutName = (typeof LAYOUTS)[number];

/** A seeded product of one layout: what requests and a station of its line need. */
export interface ChildSeed {
  readonly workOrderId: string;
  readonly inputs: Record<string, unknown>;
  readonly stationId: string;
  /** A token of role station for `stationId`. */
  readonly stationToken: string;
  /** The station's sealing private key (PKCS#8 PEM; a throwaway test key), to open a claim. */
  readonly stationKeyPem: string;
}

export interface ChildReady {
  readonly port: number;
  readonly mesToken: string;
  readonly seeds: Readonly<Record<LayoutName, ChildSeed>>;
  /** Spans whose method the running app does not have, with why. */
  readonly missingSpans: Readonly<Record<string, string>>;
  readonly postmasterFound: boolean | null;
}

/** What the API process used during one row. */
export interface RowUsage {
  readonly wallMs: number;
  /** CPU of the API process (all threads; PGlite included), ms. */
  readonly cpuMs: number;
  /** CPU of the PostgreSQL server's processes, ms; null on PGlite or when the server was not found. */
  readonly databaseServerCpuMs: number | null;
  readonly spans: SpanTotals;
  readonly peakRssBytes: number;
  /** VmHWM reset at the row's start, or RSS sampled every 50 ms when the kernel refused the reset. */
  readonly peakFrom: 'VmHWM' | 'sampled';
  readonly rssEndBytes: number;
  readonly heapUsedEndBytes: number;
  readonly externalEndBytes: number;
}

type CommandBody = { readonly op: 'raw'; readonly windowMs: number } | { readonly op: 'begin' | 'end' | 'close' };
type Command = CommandBody & { readonly id: number };

/**
 * The app's singleton whose class is named `className`, found in Nest's module container by name, so
 * that a class another change moves to another file (or renames) leaves its spans n/a instead of
 * breaking the bench's build. @throws Error when no module provides it.
 */
function singletonNamed(api: TestApi, className: string): unknown {
  for (const module of api.app.get(ModulesContainer, { strict: false }).values()) {
    for (const [token, wrapper] of module.providers) {
      if (typeof token === 'function' && token.name === className && wrapper.instance != null) return wrapper.instance;
    }
  }
  throw new Error(`no provider of class ${className}`);
}

/** The spans bench:api reports, by class and method names of the app (any may be gone: then n/a). */
function spanSpecs(api: TestApi): SpanSpec[] {
  const spec = (name: string, className: string, method: string): SpanSpec => ({
    name,
    where: `${className}.${method}`,
    owner: () => singletonNamed(api, className),
    method,
  });
  return [
    spec('single', 'DeviceRequestsService', 'request'),
    spec('batch', 'DeviceBatchService', 'request'),
    spec('issue', 'IdentityService', 'issue'),
    spec('enqueue', 'JobQueue', 'enqueue'),
    spec('enqueueMany', 'JobQueue', 'enqueueMany'),
    spec('transaction', 'Database', 'transaction'),
    spec('auth', 'TokenAuthenticator', 'authenticate'),
    spec('binding', 'ClaimsService', 'binding'),
    spec('claim', 'ClaimsService', 'claim'),
    spec('certify', 'IdentityService', 'certify'),
    spec('rematerialize', 'IdentityService', 'rematerialize'),
    spec('report', 'ResultsService', 'report'),
    {
      name: 'attestationSign',
      where: 'TrustService.attestationSigner.sign',
      owner: () => (singletonNamed(api, 'TrustService') as { attestationSigner?: unknown }).attestationSigner,
      method: 'sign',
    },
    spec('logAppend', 'LogService', 'appendAttestation'),
  ];
}

class RowMeter {
  #start = { wallMs: 0, cpu: process.cpuUsage(), serverCpuMs: 0 };
  #peakFrom: RowUsage['peakFrom'] = 'VmHWM';
  #sampledPeak = 0;
  #sampler: NodeJS.Timeout | undefined;

  constructor(
    private readonly spans: SpanSet,
    private readonly postmaster: number | undefined,
    private readonly logs: string[],
  ) {}

  begin(): void {
    this.spans.reset();
    // startTestApi keeps every log line in memory: the app still writes them, the bench lets them go.
    this.logs.length = 0;
    this.#peakFrom = resetPeakRss() ? 'VmHWM' : 'sampled';
    this.#sampledPeak = ownMemory().rssBytes;
    clearInterval(this.#sampler);
    if (this.#peakFrom === 'sampled') {
      this.#sampler = setInterval(() => (this.#sampledPeak = Math.max(this.#sampledPeak, ownMemory().rssBytes)), 50);
    }
    this.#start = {
      wallMs: performance.now(),
      cpu: process.cpuUsage(),
      serverCpuMs: this.postmaster === undefined ? 0 : postgresCpuMs(this.postmaster),
    };
  }

  end(): RowUsage {
    const cpu = process.cpuUsage(this.#start.cpu);
    const serverCpuMs = this.postmaster === undefined ? null : postgresCpuMs(this.postmaster) - this.#start.serverCpuMs;
    clearInterval(this.#sampler);
    const memory = ownMemory();
    const heap = process.memoryUsage();
    return {
      wallMs: performance.now() - this.#start.wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      databaseServerCpuMs: serverCpuMs,
      spans: this.spans.totals(),
      peakRssBytes: this.#peakFrom === 'VmHWM' ? memory.peakRssBytes : Math.max(this.#sampledPeak, memory.rssBytes),
      peakFrom: this.#peakFrom,
      rssEndBytes: memory.rssBytes,
      heapUsedEndBytes: heap.heapUsed,
      externalEndBytes: heap.external,
    };
  }
}

async function seedAll(api: TestApi): Promise<Record<LayoutName, ChildSeed>> {
  const db = api.database.kysely;
  const keyOnly: ExampleLayout = { layout: parseLayout(KEY_ONLY_LAYOUT), inputs: { serial: 'BENCH-0001' } };
  const seedOf = async (example: ExampleLayout | 'sensor-node'): Promise<ChildSeed> => {
    const seed = await seedCatalogRows(db, { example, quantity: 10_000_000 });
    return {
      workOrderId: seed.workOrderId,
      inputs: seed.inputs,
      stationId: seed.stationId,
      stationToken: await api.createToken('station', `bench-${seed.stationId}`, seed.stationId),
      stationKeyPem: seed.stationKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  };
  return { 'bench-key-only': await seedOf(keyOnly), 'sensor-node': await seedOf('sensor-node') };
}

function postgresPort(api: TestApi): number | undefined {
  if (api.databaseConfig.kind !== 'postgres') return undefined;
  return Number(new URL(api.databaseConfig.url).port);
}

/** The child's side: starts the app, reports ready, then answers the parent's commands until `close`. */
export async function serveApiChild(database: DatabaseKind): Promise<void> {
  const send = (message: unknown) => process.send?.(message);
  // PGlite on disk as bin/ingrain-api runs it (in memory its data would sit in the WebAssembly heap).
  const dataDir = await mkdtemp(join(tmpdir(), 'ingrain-bench-pglite-'));
  const api = await startTestApi({ databaseKind: database, pgliteDataDir: dataDir, env: { LOG_LEVEL: 'info' } });
  try {
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (api.app.getHttpServer().address() as AddressInfo).port;
    const seeds = await seedAll(api);
    const mesToken = await api.createToken('mes', 'bench-mes');
    const spans = SpanSet.install(spanSpecs(api));
    const pgPort = postgresPort(api);
    const postmaster = pgPort === undefined ? undefined : findPostmaster(pgPort);
    const meter = new RowMeter(spans, postmaster, api.logs);
    const hsm = api.app.get(Hsm, { strict: false });
    const ready: ChildReady = {
      port,
      mesToken,
      seeds,
      missingSpans: Object.fromEntries(spans.missing),
      postmasterFound: pgPort === undefined ? null : postmaster !== undefined,
    };
    send({ type: 'ready', ready });
    await new Promise<void>((resolve) => {
      process.on('message', (command: Command) => {
        const answer = (result: unknown) => send({ type: 'answer', id: command.id, result });
        const fail = (error: unknown) =>
          send({ type: 'answer', id: command.id, error: error instanceof Error ? error.message : String(error) });
        try {
          if (command.op === 'raw') {
            measureRawPairs(hsm, RAW_PARALLEL, command.windowMs).then(answer, fail);
          } else if (command.op === 'begin') {
            meter.begin();
            answer(null);
          } else if (command.op === 'end') {
            answer(meter.end());
          } else {
            answer(null);
            resolve();
          }
        } catch (error) {
          fail(error);
        }
      });
    });
  } finally {
    await api.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The parent's handle on an API child. */
export class ApiChild {
  #next = 0;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(
    private readonly child: ChildProcess,
    readonly ready: ChildReady,
  ) {
    child.on('message', (message: { type: string; id: number; result?: unknown; error?: string }) => {
      const pending = this.#pending.get(message.id);
      if (message.type !== 'answer' || pending === undefined) return;
      this.#pending.delete(message.id);
      if (message.error === undefined) pending.resolve(message.result);
      else pending.reject(new Error(message.error));
    });
    child.on('exit', (code) => {
      for (const pending of this.#pending.values()) pending.reject(new Error(`the API child exited (${code})`));
      this.#pending.clear();
    });
  }

  /** Forks `script` with INGRAIN_BENCH_API_DATABASE set and waits until its app is ready. */
  static start(script: string, database: DatabaseKind): Promise<ApiChild> {
    const child = fork(script, [], {
      env: { ...process.env, INGRAIN_BENCH_API_DATABASE: database },
      // The V8 flag bin/ingrain-api sets (docs/deployment.md, memory).
      execArgv: ['--heap-growing-percent=50'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) =>
        reject(new Error(`the API child on ${database} exited (${code}) before it was ready`)),
      );
      child.once('message', (message: { type: string; ready: ChildReady }) => {
        if (message.type === 'ready') resolve(new ApiChild(child, message.ready));
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  #ask<T>(command: CommandBody): Promise<T> {
    const id = ++this.#next;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ ...command, id });
    });
  }

  raw(windowMs: number): Promise<RawRate> {
    return this.#ask({ op: 'raw', windowMs });
  }

  begin(): Promise<void> {
    return this.#ask({ op: 'begin' });
  }

  end(): Promise<RowUsage> {
    return this.#ask({ op: 'end' });
  }

  /** Asks the child to close its app and waits for it to exit. */
  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.#ask({ op: 'close' });
    await exited;
  }
}
