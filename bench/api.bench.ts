// bench:api — sustained POST /v1/devices against the real app (SoftHSM, Redis; PGlite, then a local
// PostgreSQL for comparison, each in a child process) over loopback HTTP at several concurrency
// levels, next to the raw HSM key-pair + signature rate measured on the same token in the same
// run; then latency under an open-loop load of half the best sustained rate, and where a
// request's time goes. Prints the table and records it in docs/benchmarks.md (section api).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Hsm } from '#ingrain/crypto';
import { parseLayout } from '#ingrain/otp';
import { Database } from '../apps/api/src/database/database.js';
import { IdentityService } from '../apps/api/src/identity/identity.service.js';
import { JobQueue } from '../apps/api/src/jobs/job-queue.js';
import { JobsModule } from '../apps/api/src/jobs/jobs.module.js';
import { DeviceRequestsService } from '../apps/api/src/device-requests/device-requests.service.js';
import { DeviceRequestsModule } from '../apps/api/src/device-requests/device-requests.module.js';
import { TrustModule } from '../apps/api/src/trust/index.js';
import { startTestApi, type TestApi } from '../testkit/api.js';
import { seedCatalogRows, type ExampleLayout, type SeededCatalog } from '../testkit/catalog-rows.js';
import { closedLoop, openLoop, type LoadRequest, type LoadResult, type LoadTarget } from './support/api-load.js';
import { measureRawPairs, type RawRate } from './support/api-raw-hsm.js';
import { newSpans, resetSpans, timeMethod, type RequestSpans } from './support/api-spans.js';
import { renderMarkdownTable, renderTextTable } from '../testkit/tables.js';
import { machineSummary, recordBenchmarkSection } from './support/report.js';
import { fmt, median, percentile } from './support/stats.js';

const CONCURRENCY = [1, 4, 16, 64] as const;
const WARMUP_MS = 1_000;
const WINDOW_MS = Number(process.env['INGRAIN_BENCH_WINDOW_MS'] ?? 5_000);
const RAW_WINDOW_MS = 1_500;
/** Sessions in parallel for the raw rate: the token's session pool (INGRAIN_HSM_SESSION_POOL_SIZE, 4). */
const RAW_PARALLEL = 4;
const P99_TARGET_MS = 50;

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

type DatabaseKind = 'pglite' | 'postgres';

/** One measured load of one layout (numbers only: it crosses the child process boundary as JSON). */
interface Row {
  readonly database: DatabaseKind;
  readonly layout: string;
  readonly load: string;
  readonly closedLoop: boolean;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly cpuMsPerDevice: number;
  readonly breakdown: Breakdown;
}

/** Mean ms per request of each part (wall time; under concurrency it includes waiting). */
interface Breakdown {
  readonly clientMs: number;
  readonly handlerMs: number;
  readonly issueMs: number;
  readonly transactionMs: number;
  readonly enqueueMs: number;
}

interface RunResult {
  readonly rows: Row[];
  readonly raws: RawRate[];
}

function instrument(api: TestApi): RequestSpans {
  const spans = newSpans();
  const wrap = (object: object, method: string, span: RequestSpans[keyof RequestSpans]) =>
    timeMethod(object as Record<string, () => Promise<unknown>>, method, span);
  wrap(api.app.get(DeviceRequestsService), 'create', spans.handler);
  wrap(api.app.get(IdentityService), 'issue', spans.issue);
  wrap(api.app.get(Database), 'transaction', spans.transaction);
  wrap(api.app.get(JobQueue), 'enqueue', spans.enqueue);
  return spans;
}

function deviceRequests(seed: SeededCatalog, mesToken: string): () => LoadRequest {
  const body = JSON.stringify({ workOrderId: seed.workOrderId, inputs: seed.inputs });
  return () => ({
    path: '/v1/devices',
    headers: { authorization: `Bearer ${mesToken}`, 'idempotency-key': randomUUID() },
    body,
  });
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;

async function measured(
  spans: RequestSpans,
  what: Pick<Row, 'database' | 'layout' | 'load' | 'closedLoop'>,
  run: () => Promise<LoadResult>,
): Promise<Row> {
  resetSpans(spans);
  const cpuBefore = process.cpuUsage();
  const result = await run();
  const cpu = process.cpuUsage(cpuBefore);
  if (result.errors > 0) process.stderr.write(`  ${result.errors} errors, first: ${result.firstError}\n`);
  const perRequest = (total: number) => total / Math.max(1, spans.handler.count);
  const latencies = result.latenciesMs;
  return {
    ...what,
    perSecond: result.perSecond,
    p50Ms: latencies.length === 0 ? Number.NaN : percentile(latencies, 50),
    p99Ms: latencies.length === 0 ? Number.NaN : percentile(latencies, 99),
    errors: result.errors,
    cpuMsPerDevice: (cpu.user + cpu.system) / 1000 / Math.max(1, result.completed),
    breakdown: {
      clientMs: mean(latencies),
      handlerMs: spans.handler.meanMs,
      issueMs: perRequest(spans.issue.totalMs),
      transactionMs: perRequest(spans.transaction.totalMs),
      enqueueMs: perRequest(spans.enqueue.totalMs),
    },
  };
}

async function benchLayout(
  target: LoadTarget,
  spans: RequestSpans,
  base: Pick<Row, 'database' | 'layout'>,
  next: () => LoadRequest,
): Promise<Row[]> {
  const rows: Row[] = [];
  await closedLoop(target, 4, WARMUP_MS, next, 202);
  for (const concurrency of CONCURRENCY) {
    const load = `${concurrency} client${concurrency === 1 ? '' : 's'}`;
    const row = await measured(spans, { ...base, load, closedLoop: true }, () =>
      closedLoop(target, concurrency, WINDOW_MS, next, 202),
    );
    rows.push(row);
    process.stderr.write(`  ${base.database} ${base.layout} ${load}: ${fmt(row.perSecond)}/s\n`);
  }
  const rate = Math.max(...rows.map((row) => row.perSecond)) / 2;
  const load = `open loop ${fmt(rate)}/s`;
  rows.push(
    await measured(spans, { ...base, load, closedLoop: false }, () => openLoop(target, rate, WINDOW_MS, next, 202)),
  );
  return rows;
}

/** One database kind, in this process (SoftHSM reads its configuration once per process). */
async function runOne(database: DatabaseKind): Promise<RunResult> {
  const api = await startTestApi({
    databaseKind: database,
    extraModules: [TrustModule, JobsModule, DeviceRequestsModule],
    env: { LOG_LEVEL: 'info' },
  });
  try {
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    const address = api.app.getHttpServer().address() as AddressInfo;
    const target: LoadTarget = { host: '127.0.0.1', port: address.port };
    const db = api.database.kysely;
    const keyOnly: ExampleLayout = { layout: parseLayout(KEY_ONLY_LAYOUT), inputs: { serial: 'BENCH-0001' } };
    const seeds = {
      'bench-key-only': await seedCatalogRows(db, { example: keyOnly, quantity: 10_000_000 }),
      'sensor-node': await seedCatalogRows(db, { example: 'sensor-node', quantity: 10_000_000 }),
    };
    const mes = await api.createToken('mes', 'bench-mes');
    const spans = instrument(api);
    const hsm = api.app.get(Hsm);
    const raws: RawRate[] = [await measureRawPairs(hsm, RAW_PARALLEL, RAW_WINDOW_MS)];
    const rows: Row[] = [];
    for (const [layout, seed] of Object.entries(seeds)) {
      rows.push(...(await benchLayout(target, spans, { database, layout }, deviceRequests(seed, mes))));
      raws.push(await measureRawPairs(hsm, RAW_PARALLEL, RAW_WINDOW_MS));
    }
    return { rows, raws };
  } finally {
    await api.close();
  }
}

const RESULT_MARKER = 'BENCH_API_RESULT ';

/** Runs this file again for one database kind and returns what it measured. */
function runChild(database: DatabaseKind): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      env: { ...process.env, INGRAIN_BENCH_API_DATABASE: database },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = output.split('\n').find((text) => text.startsWith(RESULT_MARKER));
      if (code !== 0 || line === undefined) reject(new Error(`bench:api on ${database} failed (exit ${code})`));
      else resolve(JSON.parse(line.slice(RESULT_MARKER.length)) as RunResult);
    });
  });
}

function tableOf(rows: readonly Row[], rawOf: (database: DatabaseKind) => number) {
  return {
    columns: [
      'database',
      'layout',
      'load',
      'devices/s',
      '% of raw',
      'p50 ms',
      'p99 ms',
      'CPU ms/device',
      'HSM issue ms',
      'DB tx ms',
      'enqueue ms',
      'other handler ms',
      'HTTP+auth ms',
    ],
    rows: rows.map((row) => {
      const b = row.breakdown;
      return [
        row.database,
        row.layout,
        row.load,
        fmt(row.perSecond),
        `${fmt((100 * row.perSecond) / rawOf(row.database), 1)} %`,
        fmt(row.p50Ms),
        fmt(row.p99Ms),
        fmt(row.cpuMsPerDevice, 2),
        fmt(b.issueMs, 2),
        fmt(b.transactionMs, 2),
        fmt(b.enqueueMs, 2),
        fmt(Math.max(0, b.handlerMs - b.issueMs - b.transactionMs - b.enqueueMs), 2),
        fmt(Math.max(0, b.clientMs - b.handlerMs), 2),
      ];
    }),
  };
}

/** One client, no queueing: the share of each part in a request's latency, and CPU against the raw pair's. */
function whereTimeGoes(row: Row, rawCpuMsPerPair: number): string {
  const b = row.breakdown;
  const share = (ms: number) => `${fmt((100 * ms) / b.clientMs, 0)} %`;
  const database = b.transactionMs + Math.max(0, b.handlerMs - b.issueMs - b.transactionMs - b.enqueueMs);
  return (
    `One client: HSM issuance ${share(b.issueMs)}, database reads and transaction ${share(database)}, ` +
    `Redis ${share(b.enqueueMs)}, HTTP + auth ${share(Math.max(0, b.clientMs - b.handlerMs))} of ${fmt(b.clientMs)} ms; ` +
    `${fmt(row.cpuMsPerDevice, 1)} CPU ms per device against ${fmt(rawCpuMsPerPair, 2)} per raw pair.`
  );
}

function verdict(
  rows: readonly Row[],
  rawOf: (database: DatabaseKind) => number,
  rawCpuOf: (database: DatabaseKind) => number,
): string[] {
  const lines: string[] = [];
  const groups = new Map<string, Row[]>();
  for (const row of rows)
    groups.set(`${row.database} ${row.layout}`, [...(groups.get(`${row.database} ${row.layout}`) ?? []), row]);
  for (const [name, group] of groups) {
    const best = group.filter((row) => row.closedLoop).reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    const open = group.find((row) => !row.closedLoop);
    const share = (100 * best.perSecond) / rawOf(best.database);
    const p99 = open?.p99Ms ?? Number.NaN;
    const single = group.find((row) => row.closedLoop && row.load === '1 client');
    lines.push(
      `- ${name}: best sustained ${fmt(best.perSecond)}/s (${best.load}) = ${fmt(share, 1)} % of the raw rate ` +
        `(target ≥ 50 %: ${share >= 50 ? 'met' : 'missed'}); p99 ${fmt(p99)} ms at half that load ` +
        `(target < ${P99_TARGET_MS} ms: ${p99 < P99_TARGET_MS ? 'met' : 'missed'}).` +
        (single === undefined ? '' : ` ${whereTimeGoes(single, rawCpuOf(best.database))}`),
    );
  }
  return lines;
}

function report(results: ReadonlyMap<DatabaseKind, RunResult>): void {
  const rawOf = (database: DatabaseKind) => median((results.get(database)?.raws ?? []).map((r) => r.perSecond));
  const rawCpuOf = (database: DatabaseKind) => median((results.get(database)?.raws ?? []).map((r) => r.cpuMsPerPair));
  const rows = [...results.values()].flatMap((result) => result.rows);
  const table = tableOf(rows, rawOf);
  const rawLines = [...results].map(
    ([database, { raws }]) =>
      `- ${database} run: median ${fmt(rawOf(database))} pairs/s (${raws.map((r) => fmt(r.perSecond)).join(', ')}), ` +
      `${fmt(median(raws.map((r) => r.cpuMsPerPair)), 2)} CPU ms per pair`,
  );
  const header = [
    `Raw HSM rate: pkcs11js, a P-256 key pair as session objects + one ECDSA signature, ${RAW_PARALLEL} sessions ` +
      `in parallel on the app's own token, ${RAW_WINDOW_MS} ms windows before, between and after the API rows:`,
    ...rawLines,
    '',
    `API: POST /v1/devices against a work order, a fresh Idempotency-Key per request, ${fmt(WINDOW_MS / 1000, 0)} s ` +
      'per row over loopback HTTP (keep-alive), SoftHSM, Redis, one Node process; the database in memory (PGlite) ' +
      'or a local PostgreSQL server (separate processes). bench-key-only: the only HSM work is a key pair and the ' +
      'certificate signature (what the raw rate measures); sensor-node adds a derived secret and a commitment salt.',
  ];
  const note =
    'HSM issue = IdentityService.issue (HSM calls + certificate encoding); DB tx = the creating transaction ' +
    '(quota, insert, history; waiting for the single PGlite session included); enqueue = BullMQ add; other ' +
    'handler = idempotency lookup, work order and product reads, serial, input check; HTTP+auth = client latency ' +
    'minus handler (Fastify, bearer-token lookup, zod, response serialization, logging). Means per request, wall ' +
    'time: under concurrency they include waiting. CPU ms/device = process CPU, all threads, per device.';
  process.stdout.write(
    `\n${header.join('\n')}\n\n${renderTextTable(table)}\n\n${verdict(rows, rawOf, rawCpuOf).join('\n')}\n`,
  );
  recordBenchmarkSection(
    'api',
    [
      '## API: device requests (bench:api)',
      '',
      `Machine: ${machineSummary()}; load average at the end ${loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')}.`,
      '',
      ...header,
      '',
      renderMarkdownTable(table),
      '',
      note,
      '',
      ...verdict(rows, rawOf, rawCpuOf),
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  const child = process.env['INGRAIN_BENCH_API_DATABASE'];
  if (child === 'pglite' || child === 'postgres') {
    process.stdout.write(`${RESULT_MARKER}${JSON.stringify(await runOne(child))}\n`);
    return;
  }
  const results = new Map<DatabaseKind, RunResult>();
  for (const database of ['pglite', 'postgres'] as const) results.set(database, await runChild(database));
  report(results);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:api failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
