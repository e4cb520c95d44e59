// bench:api — the API's cost per device against the targets of issue 12 item 7, side by side in one
// run: single `POST /v1/devices` (closed loops, then an open loop at half the best rate), batches
// (`POST /v1/work-orders/{id}/devices`), and the line (binding lookup, claim, report per device), next
// to the raw HSM key-pair + signature rate measured on the same token in the same run; CPU per
// device, peak RSS and where the time goes. The app runs in a child process per database (PGlite,
// then a local PostgreSQL server); this process is the load. Prints the tables and records them
// in docs/benchmarks.md (section api).
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  ApiChild,
  LAYOUTS,
  RAW_PARALLEL,
  serveApiChild,
  type DatabaseKind,
  type RowUsage,
} from './support/api-child.js';
import { runBatches, runLine, type BatchLoad } from './support/api-line.js';
import { closedLoop, openLoop, type LoadRequest, type LoadResult, type LoadTarget } from './support/api-load.js';
import type { RawRate } from './support/api-raw-hsm.js';
import {
  p99Of,
  renderReport,
  type BatchRow,
  type LineRow,
  type RunResult,
  type SingleRow,
} from './support/api-report.js';
import { machineSummary, recordBenchmarkSection } from './support/report.js';
import { fmt, percentile } from './support/stats.js';

const WINDOW_MS = Number(process.env['INGRAIN_BENCH_WINDOW_MS'] ?? 3_000);
const WARMUP_MS = 1_000;
const CONCURRENCY = [1, 4, 16, 64] as const;
const BATCH_WINDOW_MS = WINDOW_MS;
const BATCH_LOADS: readonly BatchLoad[] = [
  { items: 100, callers: 1 },
  { items: 100, callers: 4 },
  { items: 1000, callers: 1 },
  { items: 1000, callers: 3 },
];
const LINE_WINDOW_MS = Math.round(WINDOW_MS * 1.5);
const LINE_FLOWS = [1, 8] as const;
/** Requested devices the line rows need at least (topped up with unmeasured batches). */
const LINE_POOL_MIN = 1_500;
const RAW_WINDOW_MS = 1_500;

const mean = (values: readonly number[]) =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;

const log = (text: string) => process.stderr.write(`  ${text}\n`);

async function measured<T>(child: ApiChild, run: () => Promise<T>): Promise<{ result: T; usage: RowUsage }> {
  await child.begin();
  const result = await run();
  return { result, usage: await child.end() };
}

function deviceRequests(mesToken: string, workOrderId: string, inputs: Record<string, unknown>): () => LoadRequest {
  const body = JSON.stringify({ workOrderId, inputs });
  return () => ({
    path: '/v1/devices',
    headers: { authorization: `Bearer ${mesToken}`, 'idempotency-key': randomUUID() },
    body,
  });
}

async function singleRows(child: ApiChild, target: LoadTarget, database: DatabaseKind): Promise<SingleRow[]> {
  const rows: SingleRow[] = [];
  for (const layout of LAYOUTS) {
    const seed = child.ready.seeds[layout];
    const next = deviceRequests(child.ready.mesToken, seed.workOrderId, seed.inputs);
    const row = async (load: string, closed: boolean, run: () => Promise<LoadResult>): Promise<SingleRow> => {
      const { result, usage } = await measured(child, run);
      if (result.errors > 0) log(`${result.errors} errors, first: ${result.firstError}`);
      const latencies = result.latenciesMs;
      log(`${database} single ${layout} ${load}: ${fmt(result.perSecond)}/s`);
      return {
        database,
        layout,
        load,
        closedLoop: closed,
        perSecond: result.perSecond,
        completed: result.completed,
        answered: result.completed + result.late,
        p50Ms: latencies.length === 0 ? Number.NaN : percentile(latencies, 50),
        p99Ms: p99Of(latencies),
        meanClientMs: mean(latencies),
        errors: result.errors,
        usage,
      };
    };
    await closedLoop(target, 4, WARMUP_MS, next, 202);
    const closedRows: SingleRow[] = [];
    for (const concurrency of CONCURRENCY) {
      const load = `${concurrency} client${concurrency === 1 ? '' : 's'}`;
      closedRows.push(await row(load, true, () => closedLoop(target, concurrency, WINDOW_MS, next, 202)));
    }
    const rate = Math.max(...closedRows.map((r) => r.perSecond)) / 2;
    rows.push(
      ...closedRows,
      await row(`open loop ${fmt(rate)}/s`, false, () => openLoop(target, rate, WINDOW_MS, next, 202)),
    );
  }
  return rows;
}

/** The batch rows of every layout; returns them and the sensor-node devices they created (the line's pool). */
async function batchRows(
  child: ApiChild,
  target: LoadTarget,
  database: DatabaseKind,
): Promise<{ rows: BatchRow[]; pool: string[] }> {
  const rows: BatchRow[] = [];
  const pool: string[] = [];
  for (const layout of LAYOUTS) {
    const seed = child.ready.seeds[layout];
    const request = { mesToken: child.ready.mesToken, workOrderId: seed.workOrderId, inputs: seed.inputs };
    const keep = (ids: readonly string[]) => (layout === 'sensor-node' ? pool.push(...ids) : 0);
    keep((await runBatches(target, request, { items: 100, callers: 1 }, 0)).deviceIds);
    for (const load of BATCH_LOADS) {
      const { result, usage } = await measured(child, () => runBatches(target, request, load, BATCH_WINDOW_MS));
      if (result.errors > 0) log(`${result.errors} failed batches, first: ${result.firstError}`);
      log(`${database} batch ${layout} ${load.items} × ${load.callers}: ${fmt(result.perSecond)} devices/s`);
      keep(result.deviceIds);
      rows.push({
        database,
        layout,
        items: load.items,
        callers: load.callers,
        batches: result.batches,
        devices: result.devices,
        perSecond: result.perSecond,
        p99CallMs: p99Of(result.latenciesMs),
        errors: result.errors,
        usage,
      });
    }
  }
  return { rows, pool };
}

async function lineRows(
  child: ApiChild,
  target: LoadTarget,
  database: DatabaseKind,
  pool: string[],
): Promise<LineRow[]> {
  const seed = child.ready.seeds['sensor-node'];
  const request = { mesToken: child.ready.mesToken, workOrderId: seed.workOrderId, inputs: seed.inputs };
  for (let attempt = 0; pool.length < LINE_POOL_MIN && attempt < 5; attempt++) {
    pool.push(...(await runBatches(target, request, { items: 1000, callers: 1 }, 0)).deviceIds);
  }
  if (pool.length < LINE_POOL_MIN) log(`only ${pool.length} requested devices for the line rows (batches failing?)`);
  const station = { token: seed.stationToken, stationId: seed.stationId, keyPem: seed.stationKeyPem };
  await runLine(target, station, pool, 2, WARMUP_MS);
  const rows: LineRow[] = [];
  for (const flows of LINE_FLOWS) {
    const { result, usage } = await measured(child, () => runLine(target, station, pool, flows, LINE_WINDOW_MS));
    if (result.errors > 0) log(`${result.errors} failed devices, first: ${result.firstError}`);
    log(`${database} line ${flows} flows: ${fmt(result.perSecond)} devices/s`);
    const { binding, claim, result: report } = result.latenciesMs;
    rows.push({
      database,
      flows,
      devices: result.devices,
      perSecond: result.perSecond,
      meanMs: { binding: mean(binding), claim: mean(claim), result: mean(report) },
      p99Ms: { binding: p99Of(binding), claim: p99Of(claim), result: p99Of(report) },
      errors: result.errors,
      exhausted: result.exhausted,
      sealChecked: result.sealChecked,
      usage,
    });
  }
  return rows;
}

async function runDatabase(database: DatabaseKind): Promise<RunResult> {
  const started = performance.now();
  const child = await ApiChild.start(fileURLToPath(import.meta.url), database);
  try {
    const target: LoadTarget = { host: '127.0.0.1', port: child.ready.port };
    const idle = (await measured(child, () => Promise.resolve())).usage;
    const raws: RawRate[] = [await child.raw(RAW_WINDOW_MS)];
    const singles = await singleRows(child, target, database);
    raws.push(await child.raw(RAW_WINDOW_MS));
    const { rows: batches, pool } = await batchRows(child, target, database);
    raws.push(await child.raw(RAW_WINDOW_MS));
    const lines = await lineRows(child, target, database, pool);
    log(`${database}: ${fmt((performance.now() - started) / 1000, 0)} s`);
    return { database, ready: child.ready, idle, raws, singles, batches, lines };
  } finally {
    await child.close();
  }
}

async function main(): Promise<void> {
  const childDatabase = process.env['INGRAIN_BENCH_API_DATABASE'];
  if (childDatabase === 'pglite' || childDatabase === 'postgres') {
    await serveApiChild(childDatabase);
    process.disconnect?.();
    return;
  }
  const runs: RunResult[] = [];
  for (const database of ['pglite', 'postgres'] as const) runs.push(await runDatabase(database));
  const settings = {
    windowMs: WINDOW_MS,
    lineWindowMs: LINE_WINDOW_MS,
    batchWindowMs: BATCH_WINDOW_MS,
    rawWindowMs: RAW_WINDOW_MS,
    rawParallel: RAW_PARALLEL,
    cores: cpus().length,
  };
  const machine = `Machine: ${machineSummary()}; load average at the end ${loadavg()
    .map((l) => fmt(l, 2))
    .join(' ')}.`;
  const { text, markdown } = renderReport(runs, settings, `## API: cost per device (bench:api)\n\n${machine}`);
  process.stdout.write(`\n${machine}\n${text}\n`);
  recordBenchmarkSection('api', markdown);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:api failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
