// bench:e2e's tables and its reading of the targets, printed and recorded in docs/benchmarks.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../testkit/paths.js';
import { type ApiLimit } from './e2e-api-limit.js';
import { CPU_COMPONENTS, type CpuUsage } from './e2e-cpu.js';
import { type CycleFloor } from './e2e-floor.js';
import { type LineConfig, type LineRun } from './e2e-line.js';
import { PHASES } from './e2e-phases.js';
import { type Row, rowsOf } from './e2e-rows.js';
import { LINK_BAUD_RATE } from './link-floor.js';
import { renderMarkdownTable, renderTextTable, type TextTable } from '../../testkit/tables.js';
import { machineSummary, recordBenchmarkSection } from './report.js';
import { fmt } from './stats.js';

export interface E2eResults {
  readonly quick: boolean;
  readonly floor: CycleFloor;
  /** Per line shape, its rounds. */
  readonly runs: readonly (readonly LineRun[])[];
  readonly warmup: LineConfig;
  readonly apiLimit: ApiLimit;
  /** Station settings that differ from the defaults (none for the recorded run). */
  readonly stationEnv: Readonly<Record<string, string>>;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
}

/** INGRAIN_CHIP_POLL_MS's default (docs/station.md), unless the run changed it. */
const STATION_DEFAULT_CHIP_POLL_MS = '250';
const SCALING_TARGET = 0.9;
const FLOOR_TARGET = 1.2;
const HOUR_MS = 3_600_000;

/** The tables of a run, rendered by the caller as text or Markdown. */
interface Tables {
  readonly throughput: TextTable;
  readonly oneChip: TextTable;
  readonly phases: TextTable;
  readonly cpu: TextTable;
}

const perHour = (perSecond: number): string => Math.round(perSecond * 3600).toLocaleString('en-US');
const cores = (value: number): string => fmt(value, 2);
const busy = (cpu: CpuUsage): string => `${cores(cpu.machineCores)} of ${cpu.coreCount}`;
const times = (value: number): string => `${fmt(value, 2)} ×`;

function lineRow({ config, rates, rounds, cpu }: Row, single: number, idealPerFixturePerHour: number): string[] {
  return [
    config.label,
    String(config.devices),
    perHour(rates.steadyPerSecond),
    rounds.map((round) => perHour(round.steadyPerSecond)).join(' / '),
    perHour(rates.steadyPerSecond / rates.fixtures),
    rates.fixtures === 1 ? '(base)' : fmt(rates.steadyPerSecond / (rates.fixtures * single), 2),
    `${fmt((100 * rates.steadyPerSecond * 3600) / (rates.fixtures * idealPerFixturePerHour), 0)} %`,
    perHour(rates.wallPerSecond),
    fmt(rates.firstDeviceMs / 1000, 2),
    busy(cpu),
  ];
}

function throughputTable(rows: readonly Row[], results: E2eResults): TextTable {
  const single = rows[0]?.rates.steadyPerSecond ?? Number.NaN;
  const ideal = HOUR_MS / results.floor.floorMs;
  const { apiLimit } = results;
  const idealText = Math.round(ideal).toLocaleString('en-US');
  return {
    columns: [
      'line',
      'devices',
      'devices/h (steady)',
      'each round',
      'per fixture /h',
      `scaling efficiency (≥ ${SCALING_TARGET})`,
      'of fixtures × link floor',
      'devices/h (wall)',
      'first device s',
      'CPU busy (cores)',
    ],
    rows: [
      ...rows.map((row) => lineRow(row, single, ideal)),
      [
        `link floor, 1 fixture (${fmt(results.floor.floorMs)} ms/device)`,
        '',
        idealText,
        '',
        idealText,
        '',
        '100 %',
        '',
        '',
        '',
      ],
      [
        `API's own limit (${apiLimit.concurrency} flows, no chips)`,
        String(apiLimit.devices),
        perHour(apiLimit.perSecond),
        '',
        '',
        '',
        '',
        '',
        '',
        busy(apiLimit.cpu),
      ],
    ],
  };
}

/** The single-fixture device time, built up from the link floor. */
function oneChipTable(rows: readonly Row[], floor: CycleFloor): TextTable {
  const ratio = (ms: number) => times(ms / floor.floorMs);
  const base = rows[0];
  const e2eMs = base === undefined ? Number.NaN : 1000 / base.rates.steadyPerSecond;
  const probeAndCycle = floor.stationProbeMs + floor.stationCycleMs;
  return {
    columns: ['one device at one fixture', 'ms', 'of link floor', 'target'],
    rows: [
      ['link floor: wire time of the cycle’s bytes + programming time', fmt(floor.floorMs), times(1), ''],
      [
        `bare cycle on a fresh chip (as bench:link; connect ${fmt(floor.bareConnectMs)} ms)`,
        fmt(floor.bareCycleMs),
        ratio(floor.bareCycleMs),
        '',
      ],
      [
        'station fixture, no queue or API: probe of the new chip',
        fmt(floor.stationProbeMs),
        ratio(floor.stationProbeMs),
        '',
      ],
      [
        `… then the cycle on the probed chip (connect ${fmt(floor.stationConnectMs)} ms)`,
        fmt(floor.stationCycleMs),
        ratio(floor.stationCycleMs),
        '',
      ],
      ['… probe + cycle', fmt(probeAndCycle), ratio(probeAndCycle), ''],
      ['end to end, 1 station × 1 fixture, steady state', fmt(e2eMs), ratio(e2eMs), `≤ ${FLOOR_TARGET} ×`],
    ],
  };
}

function phaseTable(rows: readonly Row[], floor: CycleFloor): TextTable {
  return {
    columns: ['line', ...PHASES, 'fixture period', 'cycle (station’s totalMs)', 'period / link floor'],
    rows: rows.map(({ config, phases }) => [
      `${config.label} (${phases.jobs} jobs)`,
      ...PHASES.map((phase) => fmt(phases.phasesMs[phase])),
      fmt(phases.periodMs),
      fmt(phases.cycleTotalMs),
      times(phases.periodMs / floor.floorMs),
    ]),
  };
}

function cpuTable(rows: readonly Row[], apiLimit: ApiLimit): TextTable {
  const line = (label: string, cpu: CpuUsage) => [
    label,
    ...CPU_COMPONENTS.map((component) => cores(cpu.coresByComponent[component])),
    cores(cpu.othersCores),
    busy(cpu),
  ];
  return {
    columns: ['window', ...CPU_COMPONENTS, 'not ours', 'machine busy'],
    rows: [...rows.map(({ config, cpu }) => line(config.label, cpu)), line('API limit loop', apiLimit.cpu)],
  };
}

/** @throws Error when a row has another number of cells than the table has columns (a layout slip). */
function checked(table: TextTable): TextTable {
  const bad = table.rows.find((row) => row.length !== table.columns.length);
  if (bad !== undefined) throw new Error(`table row "${bad[0]}" has ${bad.length} cells, not ${table.columns.length}`);
  return table;
}

function tablesOf(rows: readonly Row[], results: E2eResults): Tables {
  return {
    throughput: checked(throughputTable(rows, results)),
    oneChip: checked(oneChipTable(rows, results.floor)),
    phases: checked(phaseTable(rows, results.floor)),
    cpu: checked(cpuTable(rows, results.apiLimit)),
  };
}

const verdict = (met: boolean): string => (met ? 'met' : '**missed**');

function scalingLine(rows: readonly Row[], single: number): string {
  const scaling = rows.slice(1).map(({ config, rates }) => ({
    label: config.label,
    value: rates.steadyPerSecond / (rates.fixtures * single),
  }));
  const below = scaling.filter((entry) => entry.value < SCALING_TARGET).map((entry) => entry.label);
  const list = scaling.map((entry) => `${entry.label} ${fmt(entry.value, 2)}`).join(', ');
  const missed = below.length === 0 ? 'met' : `**missed** for ${below.join(', ')}`;
  return `- Scaling efficiency: ${list} (target ≥ ${SCALING_TARGET}: ${missed}).`;
}

function cpuLine(rows: readonly Row[]): string {
  const bound = rows.filter(({ cpu }) => cpu.machineCores >= 0.85 * cpu.coreCount);
  if (bound.length === 0)
    return '- No line kept the cores busy: per device, the limit is latency (round trips), not CPU.';
  const ours = (cpu: CpuUsage) => cpu.machineCores - cpu.othersCores;
  const list = bound.map(({ config, cpu }) => `${config.label} ${busy(cpu)} (ours ${cores(ours(cpu))})`);
  return `- Cores busy (machine, of which this run's processes): ${list.join('; ')}. Where the run's own processes keep the cores busy the line is CPU-bound: the API, the station workers, the simulators, socat, Redis and the client share them (CPU table).`;
}

/** A connect after the probe slower than this is the second-0x7F wait (a fresh chip connects in ≈ 1 ms). */
const CONNECT_WAIT_MS = 20;

/** Where the single fixture's period goes, built up from the link floor (phase means, one-chip medians). */
function singleFixtureLine(base: Row, floor: CycleFloor, pollMs: string): string {
  const perDeviceMs = 1000 / base.rates.steadyPerSecond;
  const ratio = perDeviceMs / floor.floorMs;
  const { phasesMs } = base.phases;
  const connectMs = floor.stationConnectMs - floor.bareConnectMs;
  const restOfCycleMs = phasesMs.cycle - floor.bareCycleMs - connectMs;
  const withoutConnectMs = base.phases.periodMs - connectMs;
  return [
    `- Single fixture: ${fmt(perDeviceMs)} ms per device in steady state = ${times(ratio)} the link floor of ${fmt(floor.floorMs)} ms (target ≤ ${FLOOR_TARGET} ×: ${verdict(ratio <= FLOOR_TARGET)}).`,
    `Its ${fmt(base.phases.periodMs)} ms period at the fixture: link floor ${fmt(floor.floorMs)}; the rig's own cost on the bare cycle +${fmt(floor.bareCycleMs - floor.floorMs)} (≈ 1 ms per round trip: serialport binding, socat, the simulator's event loop — bench:link);`,
    connectMs > CONNECT_WAIT_MS
      ? `connecting to the chip the probe left synchronised +${fmt(connectMs)} (a second 0x7F is taken as the first half of a command: the client waits out a reply timeout and re-synchronises);`
      : `connecting to the chip the probe left synchronised +${fmt(connectMs)} (the cycle runs on the probe's client: one Get Version, no second 0x7F);`,
    `the rest of the cycle at the station ${fmt(restOfCycleMs)}; chip probe + binding lookup ${fmt(phasesMs['chip probe + lookup'])} (the station waits for the feeder's acknowledgement of the release, then probes; a ${pollMs} ms poll pause only when a probe still finds no new chip);`,
    `claim ${fmt(phasesMs.claim)}; report + release ${fmt(phasesMs['report + release'])}; hand-off ${fmt(phasesMs['queue hand-off'])}.`,
    connectMs > CONNECT_WAIT_MS
      ? `Without the connect wait the period would be about ${fmt(withoutConnectMs)} ms = ${times(withoutConnectMs / floor.floorMs)} the floor.`
      : '',
    `The bare cycle alone is ${times(floor.bareCycleMs / floor.floorMs)} the floor in this rig, so ≤ 1.2 × leaves little room for the probe and the three HTTP calls between two cycles.`,
  ]
    .filter((part) => part !== '')
    .join(' ');
}

/** How a fixture's period grows with the line, per phase, against the single fixture. */
function growthLine(rows: readonly Row[]): string {
  const base = rows[0];
  if (base === undefined || rows.length < 2) return '';
  const api = (row: Row) => row.phases.phasesMs.claim + row.phases.phasesMs['report + release'];
  const delta = (value: number) => `${value >= 0 ? '+' : '−'}${fmt(Math.abs(value), 0)}`;
  const parts = rows.slice(1).map((row) => {
    const probe = row.phases.phasesMs['chip probe + lookup'] - base.phases.phasesMs['chip probe + lookup'];
    const cycle = row.phases.phasesMs.cycle - base.phases.phasesMs.cycle;
    return `${row.config.label} ${fmt(row.phases.periodMs, 0)} ms (cycle ${delta(cycle)}, probe + lookup ${delta(probe)}, claim + report ${delta(api(row) - api(base))})`;
  });
  return `- Why scaling falls short: a fixture's period grows with the line — from ${fmt(base.phases.periodMs, 0)} ms alone to ${parts.join('; ')}. The cycle slows because one station process drives all its ports and one simulator process times all its links on shared event loops (compare bench:link's row of 8 bare cycles in parallel from one process); the API calls slow as concurrent claims and reports queue for the API (one PGlite session, HSM signing, the attestation log); probe + lookup grows with the lookup and with more poll pauses.`;
}

/** Outside load above this (cores, mean over a window) makes a run's numbers pessimistic. */
const NOISE_LIMIT_CORES = 0.25;

function noiseLine(rows: readonly Row[], apiLimit: ApiLimit): string {
  const others = [...rows.map((row) => row.cpu.othersCores), apiLimit.cpu.othersCores];
  const worst = Math.max(...others);
  if (worst <= NOISE_LIMIT_CORES) return '';
  return `- **Noisy run:** other processes on this machine took up to ${cores(worst)} cores during the windows ("not ours" in the CPU table): the rates are pessimistic, the larger lines most. Record from a quiet machine.`;
}

function reading(rows: readonly Row[], results: E2eResults): string[] {
  const base = rows[0];
  if (base === undefined) return [];
  const { apiLimit } = results;
  const best = Math.max(...rows.map((row) => row.rates.steadyPerSecond));
  return [
    noiseLine(rows, apiLimit),
    singleFixtureLine(base, results.floor, results.stationEnv['INGRAIN_CHIP_POLL_MS'] ?? STATION_DEFAULT_CHIP_POLL_MS),
    scalingLine(rows, base.rates.steadyPerSecond),
    growthLine(rows),
    cpuLine(rows),
    `- The API's own limit in this run: ${fmt(apiLimit.perSecond)} devices/s (${perHour(apiLimit.perSecond)}/h), ${apiLimit.concurrency} flows and no chips, the API process using ${cores(apiLimit.cpu.coresByComponent.api)} cores; the fastest line ran at ${fmt((100 * best) / apiLimit.perSecond, 0)} % of it.`,
  ].filter((line) => line !== '');
}

/** Prints the tables and the reading to stdout. */
export function printReport(results: E2eResults): void {
  const rows = rowsOf(results.runs);
  const tables = tablesOf(rows, results);
  console.log(renderTextTable(tables.throughput));
  console.log(`\n${renderTextTable(tables.oneChip)}`);
  console.log(`\nPer device at one fixture, mean ms:\n${renderTextTable(tables.phases)}`);
  console.log(`\nCPU, cores (average over each window):\n${renderTextTable(tables.cpu)}`);
  console.log(`\n${reading(rows, results).join('\n')}`);
}

function settings(results: E2eResults): string {
  const changed = Object.entries(results.stationEnv).map(([name, value]) => `${name}=${value}`);
  return changed.length === 0 ? 'default settings' : `changed settings: ${changed.join(', ')}`;
}

/** bench:api's recorded best issuance rate for the sample product on PGlite, as docs/benchmarks.md has it. */
function recordedIssuanceRate(): string | undefined {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'benchmarks.md'), 'utf8');
  return /- pglite sensor-node: best sustained ([\d.]+)\/s/.exec(doc)?.[1];
}

function method(results: E2eResults): string[] {
  const { floor, apiLimit } = results;
  const { sample } = floor;
  const issuance = recordedIssuanceRate();
  const rounds = results.runs[0]?.length ?? 0;
  const recorded =
    issuance === undefined
      ? 'bench:api times `POST /v1/devices` alone'
      : `bench:api's recorded figure times \`POST /v1/devices\` alone: ${issuance} devices/s at best for sensor-node on PGlite`;
  return [
    `**Method.** One local stack for the whole run (the API process with PGlite, a SoftHSM2 token, Redis; the sample product sensor-node, STM32F4). Each line shape gets fresh station processes (\`ingrain-station worker\`, ${settings(results)}), one simulator process per station with ${LINK_BAUD_RATE}-baud wire timing (11 bits per byte, 16 µs programming per byte) in feeder mode (a released chip is replaced by a new blank one at once: no handler time), and a fresh work order whose devices are all requested up-front through the generated client as an MES does (4 requests in flight), so the queue never runs dry. A device counts when its attestation is logged (the API's \`createdAt\`). **Steady** = (N − F) / (time from the F-th to the last attestation), F = fixtures: once every fixture finished its first device the line runs full; the ramp-up (first identities, first probes) is left out, the tail is kept (several chips per fixture, so it weighs little). **Wall** = N / (first request → last attestation). Scaling efficiency = steady rate / (F × the 1-fixture steady rate). Every device ended provisioned with exactly one attestation and no released chip holds a byte programmed against the rules (checked per line). Each shape ran ${rounds} time(s), shapes interleaved: the rates are the means of the rounds (each round shown), phases and CPU too. A warm-up order (${results.warmup.stations} station × ${results.warmup.fixturesPerStation} fixtures, ${results.warmup.devices} devices, not shown) comes first; stations and simulators are stopped between lines.`,
    '',
    `**Link floor** (bench/support/link-floor.ts, as bench:link computes it): one cycle of a sensor-node image — ${sample.bytesWritten} bytes written, ${sample.blocksLocked} blocks locked, ${sample.wire.bytesSent} bytes sent + ${sample.wire.bytesReceived} received in ${sample.wire.roundTrips} round trips — needs ${fmt(floor.floorMs)} ms of wire and programming time at ${LINK_BAUD_RATE} baud; ideal rate per fixture = 1 h / floor. The one-chip rows run the same image on fresh simulated chips, one at a time, median of ${floor.runs}: bare (bench:link's way) and through the station's own \`Fixture\` (probe, then the cycle on the same open port).`,
    '',
    `**API's own limit**, measured in this run on the same API process (${recorded}): ${apiLimit.concurrency} concurrent flows, each doing one device's whole API work back to back — request (HSM identity, job queued), binding lookup, claim, a clean report (judged, attestation signed and logged) — for ${fmt(apiLimit.windowMs / 1000, 0)} s after 1 s of warm-up; the client is this process, on the same cores.`,
  ];
}

function machineNote(results: E2eResults): string {
  const load = (values: readonly number[]) => values.map((value) => fmt(value, 2)).join(' ');
  return `Run ${new Date().toISOString().slice(0, 10)} on ${machineSummary()}; load average ${load(results.loadBefore)} before, ${load(results.loadAfter)} after. **Machine note:** 2 cores for everything — the API (HSM, PGlite, attestation log), every station worker, the simulators (their wire-timing spin), one socat relay per fixture, Redis and the MES/auditor client. On a real line each station and each fixture's chip bring their own CPU; here 2 × 8 fixtures share the same 2 cores, so the large lines measure this box as much as the design. "not ours" in the CPU table is load from outside this run.`;
}

/** The section `bench:e2e` of docs/benchmarks.md. */
export function renderSection(results: E2eResults): string {
  const rows = rowsOf(results.runs);
  const tables = tablesOf(rows, results);
  return [
    '## bench:e2e — devices per hour end to end (MES request → provisioned, attested)',
    '',
    machineNote(results),
    '',
    renderMarkdownTable(tables.throughput),
    '',
    renderMarkdownTable(tables.oneChip),
    '',
    'Per device at one fixture, mean ms (means add up to the fixture period), from the stations’ log lines: chip probe + lookup = job taken → claim sent (probing the fixture over the link, `GET /v1/bindings`, a poll pause when the handler had not swapped the chip yet); claim = `POST …/claim`; cycle = the provisioning cycle; report + release = spool write, `POST …/result` (judgement, attestation) and the release request; queue hand-off = release → the fixture’s next job.',
    '',
    renderMarkdownTable(tables.phases),
    '',
    'CPU, cores, averaged over each line’s window (first request → work order seen finished); "bench" is this process (the MES and auditor client):',
    '',
    renderMarkdownTable(tables.cpu),
    '',
    ...method(results),
    '',
    '**Reading.**',
    '',
    ...reading(rows, results),
  ].join('\n');
}

/** Writes the section `bench:e2e` of docs/benchmarks.md. */
export function recordReport(results: E2eResults): void {
  recordBenchmarkSection('e2e', renderSection(results));
}
