// bench:api's report: the single-request, batch and line tables, where the line's time goes, and the
// targets of issue 12 item 7 with their verdicts, each against numbers measured in the same run.
import { renderMarkdownTable, renderTextTable, type TextTable } from '../../testkit/tables.js';
import type { ChildReady, DatabaseKind, RowUsage } from './api-child.js';
import type { RawRate } from './api-raw-hsm.js';
import { spanPer } from './api-spans.js';
import { judge, ratioText, TARGETS, targetText, type Target } from './api-targets.js';
import { fmt, median, percentile } from './stats.js';

export interface SingleRow {
  readonly database: DatabaseKind;
  readonly layout: string;
  readonly load: string;
  readonly closedLoop: boolean;
  readonly perSecond: number;
  /** Within the window (the rate). */
  readonly completed: number;
  /** Including those answered after the window closed: the CPU read covers their work too. */
  readonly answered: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanClientMs: number;
  readonly errors: number;
  readonly usage: RowUsage;
}

export interface BatchRow {
  readonly database: DatabaseKind;
  readonly layout: string;
  readonly items: number;
  readonly callers: number;
  readonly batches: number;
  readonly devices: number;
  readonly perSecond: number;
  readonly p99CallMs: number;
  readonly errors: number;
  readonly usage: RowUsage;
}

export interface LineRow {
  readonly database: DatabaseKind;
  readonly flows: number;
  readonly devices: number;
  readonly perSecond: number;
  readonly meanMs: { readonly binding: number; readonly claim: number; readonly result: number };
  readonly p99Ms: { readonly binding: number; readonly claim: number; readonly result: number };
  readonly errors: number;
  readonly exhausted: boolean;
  readonly sealChecked: boolean;
  readonly usage: RowUsage;
}

export interface RunResult {
  readonly database: DatabaseKind;
  readonly ready: ChildReady;
  /** The API process right after start and seeding, before any load. */
  readonly idle: RowUsage;
  readonly raws: readonly RawRate[];
  readonly singles: readonly SingleRow[];
  readonly batches: readonly BatchRow[];
  readonly lines: readonly LineRow[];
}

export interface ReportSettings {
  readonly windowMs: number;
  readonly lineWindowMs: number;
  readonly batchWindowMs: number;
  readonly rawWindowMs: number;
  readonly rawParallel: number;
  readonly cores: number;
}

const MB = 1024 * 1024;
const mb = (bytes: number) => fmt(bytes / MB, 0);
const opt = (value: number | undefined, digits = 2) => (value === undefined ? 'n/a' : fmt(value, digits));
const p99 = (values: readonly number[]) => (values.length === 0 ? Number.NaN : percentile(values, 99));
export const p99Of = p99;

export const rawRateOf = (run: RunResult) => median(run.raws.map((r) => r.perSecond));
const rawCpuOf = (run: RunResult) => median(run.raws.map((r) => r.cpuMsPerPair));

/** How often span `name` ran in the row, or `fallback` when it is n/a or never ran. */
function callsOf(usage: RowUsage, name: string, fallback: number): number {
  const count = usage.spans[name]?.count;
  return count === undefined || count === 0 ? fallback : count;
}

/** API CPU per device, the server's (PostgreSQL) and their sum. */
function cpuPerDevice(usage: RowUsage, devices: number) {
  const api = usage.cpuMs / Math.max(1, devices);
  const server = usage.databaseServerCpuMs === null ? undefined : usage.databaseServerCpuMs / Math.max(1, devices);
  return { api, server, total: api + (server ?? 0) };
}

function singleTable(runs: readonly RunResult[]): TextTable {
  const rows = runs.flatMap((run) =>
    run.singles.map((row) => {
      const spans = row.usage.spans;
      const requests = callsOf(row.usage, 'single', row.answered);
      const per = (name: string) => spanPer(spans, name, requests);
      const handler = per('single');
      const parts = [per('issue'), per('transaction'), per('enqueue')];
      const other =
        handler === undefined || parts.some((p) => p === undefined)
          ? undefined
          : Math.max(0, handler - parts.reduce<number>((a, b) => a + (b ?? 0), 0));
      const cpu = cpuPerDevice(row.usage, row.answered);
      return [
        row.database,
        row.layout,
        row.load,
        fmt(row.perSecond),
        `${fmt((100 * row.perSecond) / rawRateOf(run), 1)} %`,
        fmt(row.p50Ms),
        fmt(row.p99Ms),
        fmt(cpu.api, 2),
        opt(cpu.server),
        opt(parts[0]),
        opt(parts[1]),
        opt(parts[2]),
        opt(other),
        opt(handler === undefined ? undefined : Math.max(0, row.meanClientMs - handler)),
        mb(row.usage.peakRssBytes),
      ];
    }),
  );
  return {
    columns: [
      'database',
      'layout',
      'load',
      'devices/s',
      '% of raw',
      'p50 ms',
      'p99 ms',
      'API CPU ms/device',
      'DB server CPU ms/device',
      'HSM issue ms',
      'DB tx ms',
      'enqueue ms',
      'other handler ms',
      'HTTP+auth ms',
      'peak RSS MB',
    ],
    rows,
  };
}

function batchTable(runs: readonly RunResult[]): TextTable {
  const rows = runs.flatMap((run) =>
    run.batches.map((row) => {
      const cpu = cpuPerDevice(row.usage, row.devices);
      const per = (name: string) => spanPer(row.usage.spans, name, row.devices);
      return [
        row.database,
        row.layout,
        `${row.items} × ${row.callers} caller${row.callers === 1 ? '' : 's'}`,
        String(row.batches),
        fmt(row.perSecond),
        `${fmt((100 * row.perSecond) / rawRateOf(run), 1)} %`,
        fmt(row.p99CallMs, 0),
        fmt(cpu.api, 2),
        opt(cpu.server),
        opt(per('issue')),
        opt(per('transaction')),
        opt(per('enqueueMany')),
        mb(row.usage.peakRssBytes),
        mb(row.usage.rssEndBytes),
        String(row.errors),
      ];
    }),
  );
  return {
    columns: [
      'database',
      'layout',
      'items × callers',
      'batches',
      'devices/s',
      '% of raw',
      'p99 call ms',
      'API CPU ms/device',
      'DB server CPU ms/device',
      'HSM issue ms/device',
      'DB tx ms/device',
      'enqueue ms/device',
      'peak RSS MB',
      'RSS at end MB',
      'errors',
    ],
    rows,
  };
}

function lineTable(runs: readonly RunResult[]): TextTable {
  const rows = runs.flatMap((run) =>
    run.lines.map((row) => {
      const cpu = cpuPerDevice(row.usage, row.devices);
      return [
        row.database,
        `${row.flows} flow${row.flows === 1 ? '' : 's'}${row.exhausted ? ' (pool ran out)' : ''}`,
        String(row.devices),
        fmt(row.perSecond),
        fmt(cpu.api, 2),
        opt(cpu.server),
        fmt(cpu.total, 2),
        fmt(row.p99Ms.binding),
        fmt(row.p99Ms.claim),
        fmt(row.p99Ms.result),
        mb(row.usage.peakRssBytes),
        mb(row.usage.rssEndBytes),
        String(row.errors),
      ];
    }),
  );
  return {
    columns: [
      'database',
      'flows',
      'devices',
      'devices/s',
      'API CPU ms/device',
      'DB server CPU ms/device',
      'total CPU ms/device',
      'p99 binding ms',
      'p99 claim ms',
      'p99 result ms',
      'peak RSS MB',
      'RSS at end MB',
      'errors',
    ],
    rows,
  };
}

/** Mean wall ms per device of each part of the line (spans nest: claim holds certify and rematerialize…). */
function lineParts(row: LineRow) {
  const per = (name: string) => spanPer(row.usage.spans, name, row.devices);
  const client = row.meanMs.binding + row.meanMs.claim + row.meanMs.result;
  const handlers = [per('binding'), per('claim'), per('report')];
  const auth = per('auth');
  const http =
    handlers.some((h) => h === undefined) || auth === undefined
      ? undefined
      : Math.max(0, client - handlers.reduce<number>((a, b) => a + (b ?? 0), 0) - auth);
  return {
    client,
    binding: handlers[0],
    claim: handlers[1],
    certify: per('certify'),
    rematerialize: per('rematerialize'),
    report: handlers[2],
    attestationSign: per('attestationSign'),
    logAppend: per('logAppend'),
    transaction: per('transaction'),
    auth,
    http,
  };
}

function lineBreakdownTable(runs: readonly RunResult[]): TextTable {
  const rows = runs.flatMap((run) =>
    run.lines.map((row) => {
      const p = lineParts(row);
      return [
        row.database,
        String(row.flows),
        fmt(p.client, 2),
        opt(p.binding),
        opt(p.claim),
        opt(p.certify),
        opt(p.rematerialize),
        opt(p.report),
        opt(p.attestationSign),
        opt(p.logAppend),
        opt(p.transaction),
        opt(p.auth),
        opt(p.http),
      ];
    }),
  );
  return {
    columns: [
      'database',
      'flows',
      'client ms (3 calls)',
      'binding svc',
      'claim svc',
      '↳ certify (HSM)',
      '↳ rematerialize (HSM)',
      'report svc',
      '↳ attestation sign (HSM)',
      '↳ log append',
      'transactions (all)',
      'auth',
      'HTTP, zod, rest',
    ],
    rows,
  };
}

interface TargetLine {
  readonly target: Target;
  readonly database: DatabaseKind;
  readonly measured: number | undefined;
  readonly measuredText: string;
  readonly against: string;
  readonly whereTimeGoes: string;
}

const bestBatch = (run: RunResult) =>
  run.batches.reduce<BatchRow | undefined>((a, b) => (a === undefined || b.perSecond > a.perSecond ? b : a), undefined);
/** The line row with the most flows (the loaded line). */
const loadedLine = (run: RunResult) =>
  run.lines.reduce<LineRow | undefined>((a, b) => (a === undefined || b.flows > a.flows ? b : a), undefined);

function batchTarget(run: RunResult, settings: ReportSettings): TargetLine {
  const best = bestBatch(run);
  const raw = rawRateOf(run);
  if (best === undefined || best.devices === 0) return notMeasured(TARGETS.batchShareOfRaw, run.database);
  const share = (100 * best.perSecond) / raw;
  const cpu = cpuPerDevice(best.usage, best.devices);
  const per = (name: string) => opt(spanPer(best.usage.spans, name, best.devices));
  return {
    target: TARGETS.batchShareOfRaw,
    database: run.database,
    measured: share,
    measuredText: `${fmt(share, 1)} % (${fmt(best.perSecond)} devices/s, ${best.layout}, ${best.items} × ${best.callers})`,
    against: `raw ${fmt(raw)} pairs/s (median of ${run.raws.length})`,
    whereTimeGoes:
      `${fmt(cpu.total, 2)} CPU ms/device (API ${fmt(cpu.api, 2)}${cpu.server === undefined ? '' : `, server ${fmt(cpu.server, 2)}`}) ` +
      `caps ${settings.cores} cores at ${fmt((settings.cores * 1000) / cpu.total, 0)} devices/s against ` +
      `${fmt(rawCpuOf(run), 2)} CPU ms per raw pair; wall per device summed over parallel calls: HSM issue ` +
      `${per('issue')} ms, transactions ${per('transaction')} ms, enqueue ${per('enqueueMany')} ms.`,
  };
}

/** The line row with the fewest flows (the least waiting: its spans show the work, not the queue). */
const quietLine = (run: RunResult) =>
  run.lines.reduce<LineRow | undefined>((a, b) => (a === undefined || b.flows < a.flows ? b : a), undefined);

function lineTarget(run: RunResult): TargetLine {
  const row = loadedLine(run);
  const quiet = quietLine(run);
  if (row === undefined || quiet === undefined || row.devices === 0 || quiet.devices === 0) {
    return notMeasured(TARGETS.lineCpu, run.database);
  }
  const cpu = cpuPerDevice(row.usage, row.devices);
  const quietCpu = cpuPerDevice(quiet.usage, quiet.devices);
  const p = lineParts(quiet);
  const part = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${fmt(ms, 1)} ms`);
  return {
    target: TARGETS.lineCpu,
    database: run.database,
    measured: cpu.total,
    measuredText:
      `${fmt(cpu.total, 1)} CPU ms/device (${row.flows} flows` +
      (cpu.server === undefined
        ? ', database in the API process)'
        : `: API ${fmt(cpu.api, 1)} + server ${fmt(cpu.server, 1)})`),
    against: `${quiet.flows} flow: ${fmt(quietCpu.total, 1)} CPU ms/device`,
    whereTimeGoes:
      `with ${quiet.flows} flow (${fmt(quietCpu.total, 1)} CPU ms/device) a device's three calls take ` +
      `${fmt(p.client, 1)} ms: claim service ${part(p.claim)} (HSM certify ${part(p.certify)}, rematerialize ` +
      `${part(p.rematerialize)}), report service ${part(p.report)} (attestation signature ` +
      `${part(p.attestationSign)}, log append ${part(p.logAppend)}), binding ${part(p.binding)}, auth ` +
      `${part(p.auth)}, HTTP/zod/rest ${part(p.http)}; transactions ${part(p.transaction)} of it (inside the services).`,
  };
}

function p99Target(run: RunResult): TargetLine {
  const open = run.singles.filter((row) => !row.closedLoop);
  const worst = open.reduce<SingleRow | undefined>((a, b) => (a === undefined || b.p99Ms > a.p99Ms ? b : a), undefined);
  if (worst === undefined) return notMeasured(TARGETS.p99AtHalfLoad, run.database);
  const spans = worst.usage.spans;
  const requests = callsOf(worst.usage, 'single', worst.answered);
  const per = (name: string) => opt(spanPer(spans, name, requests));
  return {
    target: TARGETS.p99AtHalfLoad,
    database: run.database,
    measured: worst.p99Ms,
    measuredText: `${fmt(worst.p99Ms)} ms (worst layout: ${worst.layout}, ${worst.load})`,
    against: `half the best closed-loop rate of ${worst.layout}`,
    whereTimeGoes:
      `p50 ${fmt(worst.p50Ms)} ms, mean ${fmt(worst.meanClientMs)} ms, of which handler ${per('single')} ms ` +
      `(HSM issue ${per('issue')}, transaction ${per('transaction')}, enqueue ${per('enqueue')}); ` +
      `API CPU ${fmt(cpuPerDevice(worst.usage, worst.answered).total, 1)} ms per request.`,
  };
}

function rssTarget(run: RunResult): TargetLine {
  const rows = [...run.singles, ...run.batches, ...run.lines];
  const peak = Math.max(...rows.map((row) => row.usage.peakRssBytes));
  const end = rows.at(-1)?.usage ?? run.idle;
  return {
    target: TARGETS.rssOnPglite,
    database: run.database,
    measured: peak / MB,
    measuredText: `peak ${mb(peak)} MB over all rows (${rows[0]?.usage.peakFrom ?? 'VmHWM'})`,
    against: `after start ${mb(run.idle.rssEndBytes)} MB`,
    whereTimeGoes:
      `at start ${mb(run.idle.rssEndBytes)} MB (heap ${mb(run.idle.heapUsedEndBytes)}, external ` +
      `${mb(run.idle.externalEndBytes)}: PGlite's WebAssembly memory is external); at the end ` +
      `${mb(end.rssEndBytes)} MB (heap ${mb(end.heapUsedEndBytes)}, external ${mb(end.externalEndBytes)}).`,
  };
}

function notMeasured(target: Target, database: DatabaseKind): TargetLine {
  return { target, database, measured: undefined, measuredText: 'not measured', against: '—', whereTimeGoes: '' };
}

function targetLines(runs: readonly RunResult[], settings: ReportSettings): TargetLine[] {
  return [
    ...runs.map((run) => batchTarget(run, settings)),
    ...runs.map(lineTarget),
    ...runs.map(p99Target),
    ...runs.filter((run) => run.database === 'pglite').map(rssTarget),
  ];
}

function targetsTable(lines: readonly TargetLine[]): TextTable {
  return {
    columns: ['target', 'database', 'measured', 'verdict', 'ratio', 'compared with (same run)'],
    rows: lines.map((line) => {
      const judged = judge(line.target, line.measured);
      return [
        `${line.target.name} ${targetText(line.target)}`,
        line.database,
        line.measuredText,
        judged.verdict,
        ratioText(judged),
        line.against,
      ];
    }),
  };
}

function verdictLines(lines: readonly TargetLine[]): string[] {
  return lines.map((line) => {
    const judged = judge(line.target, line.measured);
    const head = `- ${line.target.name} (${line.database}): ${judged.verdict}, ${line.measuredText}`;
    return judged.verdict === 'missed' && line.whereTimeGoes !== ''
      ? `${head}. Where it goes: ${line.whereTimeGoes}`
      : `${head}.`;
  });
}

function notes(runs: readonly RunResult[], settings: ReportSettings): string[] {
  const lines = runs.map(
    (run) =>
      `- ${run.database}: raw HSM rate median ${fmt(rawRateOf(run))} pairs/s (${run.raws.map((r) => fmt(r.perSecond)).join(', ')}), ` +
      `${fmt(rawCpuOf(run), 2)} CPU ms per pair; API RSS after start ${mb(run.idle.rssEndBytes)} MB` +
      (run.ready.postmasterFound === false ? '; PostgreSQL server processes NOT found: server CPU not counted' : ''),
  );
  const missing = new Map<string, string>();
  for (const run of runs) for (const [name, why] of Object.entries(run.ready.missingSpans)) missing.set(name, why);
  const unsealed = runs.flatMap((run) => run.lines.filter((row) => !row.sealChecked).map(() => run.database));
  return [
    `Raw HSM rate: pkcs11js, a P-256 key pair as session objects + one ECDSA signature, ${settings.rawParallel} ` +
      `sessions in parallel on the app's own token, ${settings.rawWindowMs} ms windows at start and between the groups of rows:`,
    ...lines,
    '',
    'The API runs in a child process as bin/ingrain-api runs it (SoftHSM, Redis, PGlite on a data directory on ' +
      'disk with the default buffer cache, or a local PostgreSQL server; V8 heap growth capped); the load comes from the parent over loopback HTTP (keep-alive), so CPU and RSS are the API ' +
      "process's alone (PostgreSQL: its server processes' CPU from /proc, counted separately). Peak RSS is VmHWM, " +
      "reset at each row's start. Single requests: `POST /v1/devices`, closed loops of " +
      `${settings.windowMs / 1000} s, then an open loop at half the best rate. Batches: ` +
      '`POST /v1/work-orders/{id}/devices`, each caller sending batches back to back for ' +
      `${settings.batchWindowMs / 1000} s (at least one). Line: per device \`GET /v1/bindings/{chipUid}\` (404), ` +
      "`POST /v1/devices/{id}/claim` (secrets sealed to the station's registered key; the first claim of each row " +
      'is opened with it), `POST /v1/devices/{id}/result` with a clean report (judged, attestation signed and ' +
      `logged), sensor-node devices requested by the batch rows, ${settings.lineWindowMs / 1000} s per row. ` +
      'bench-key-only: the only HSM work of a request is a key pair and the certificate signature (what the raw ' +
      'rate measures); sensor-node adds a derived secret and a commitment salt.',
    '',
    'Spans are wall time accumulated by wrapping app methods (DeviceRequestsService.request, ' +
      'DeviceBatchService.request, IdentityService.issue/certify/rematerialize, Database.transaction, ' +
      'JobQueue.enqueue/enqueueMany, TokenAuthenticator.authenticate, ClaimsService.binding/claim, ResultsService.report, ' +
      "TrustService's attestation signer, LogService.appendAttestation): under concurrency they include waiting, " +
      'and parallel calls inside a batch add up to more than the wall time.' +
      (missing.size === 0
        ? ''
        : ` Not found in this build (n/a): ${[...missing].map(([name, why]) => `${name} (${why})`).join('; ')}.`) +
      (unsealed.length === 0 ? '' : ` No claim was opened in the line rows of ${unsealed.join(', ')}.`),
  ];
}

/**
 * One line per database and layout on single requests: the best closed-loop rate and the p99 at
 * half of it. bench:e2e reads the PGlite sensor-node line ("- pglite sensor-node: best sustained N/s").
 */
function singleSummaryLines(runs: readonly RunResult[]): string[] {
  return runs.flatMap((run) =>
    [...new Set(run.singles.map((row) => row.layout))].map((layout) => {
      const rows = run.singles.filter((row) => row.layout === layout);
      const best = rows.filter((row) => row.closedLoop).reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
      const open = rows.find((row) => !row.closedLoop);
      return (
        `- ${run.database} ${layout}: best sustained ${fmt(best.perSecond)}/s (${best.load}) = ` +
        `${fmt((100 * best.perSecond) / rawRateOf(run), 1)} % of the raw rate; p99 ${fmt(open?.p99Ms ?? Number.NaN)} ms ` +
        'at half that load (single requests).'
      );
    }),
  );
}

/** The whole report: the text printed and the Markdown recorded in docs/benchmarks.md. */
export function renderReport(
  runs: readonly RunResult[],
  settings: ReportSettings,
  heading: string,
): { text: string; markdown: string } {
  const tables: [string, TextTable][] = [
    ['Targets (issue 12 item 7)', targetsTable(targetLines(runs, settings))],
    ['Single requests', singleTable(runs)],
    ['Batches', batchTable(runs)],
    ['Line: binding + claim + report per device', lineTable(runs)],
    ["Line: where a device's time goes (mean wall ms per device)", lineBreakdownTable(runs)],
  ];
  const verdicts = [...verdictLines(targetLines(runs, settings)), ...singleSummaryLines(runs)];
  const text = [
    ...notes(runs, settings),
    ...tables.flatMap(([title, table]) => ['', `${title}:`, renderTextTable(table)]),
    '',
    ...verdicts,
  ].join('\n');
  const markdown = [
    heading,
    '',
    ...notes(runs, settings),
    ...tables.flatMap(([title, table]) => ['', `**${title}.**`, '', renderMarkdownTable(table)]),
    '',
    ...verdicts,
  ].join('\n');
  return { text, markdown };
}
