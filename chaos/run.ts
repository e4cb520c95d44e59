import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectData } from '#ingrain/api-client';
import { collectEvidence } from './collect.js';
import { planFaults } from './fault-plan.js';
import { runFaults, type InjectedFault } from './fault-runner.js';
import { checkInvariants, type InvariantResult } from './invariants.js';
import { startChaosLine, type ChaosLine } from './line.js';
import { ChaosMes } from './mes.js';
import { SeededRandom } from './random.js';
import { measureRecoveries, type Recovery } from './recovery.js';
import { type Scenario } from './scenario.js';
import { sleep } from './station-events.js';

/** The MES orders its devices over this share of the fault window, so faults meet a busy line. */
const ORDERING_SHARE = 0.7;
/** After the line settled, time for the last chips' release files to be carried out. */
const RELEASE_GRACE_MS = 2_000;

/** Everything a chaos run found. */
export interface ChaosResult {
  readonly scenario: Scenario;
  readonly dir: string;
  readonly durationMs: number;
  /** From the end of the fault window to every device final (or the settle timeout). */
  readonly settleMs: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly chips: Readonly<Record<string, number>>;
  readonly faults: readonly InjectedFault[];
  /** Simulator faults armed, ignored, fired (by FaultPlan key), and power restorations. */
  readonly simFaultsFired: Readonly<Record<string, number>>;
  readonly recoveries: readonly Recovery[];
  readonly invariants: readonly InvariantResult[];
}

/** Runs the scenario end to end: start the line, order devices while faults strike, settle, check. */
export async function runChaos(scenario: Scenario, log: (line: string) => void): Promise<ChaosResult> {
  const dir = scenario.dir ?? (await mkdtemp(join(tmpdir(), 'ingrain-chaos-')));
  const started = Date.now();
  const random = new SeededRandom(scenario.seed);
  const plan = planFaults(scenario, random);
  log(`chaos: seed ${scenario.seed}, ${scenario.devices} devices, ${scenario.minutes} min, in ${dir}`);
  const line = await startChaosLine(scenario, dir);
  let result: ChaosResult;
  try {
    const mes = new ChaosMes(line.client(line.catalog.mesToken), line.catalog.productId, serialPrefix(scenario.seed));
    await mes.open(scenario.devices);
    const windowMs = scenario.minutes * 60_000;
    const windowStart = Date.now();
    const deadline = windowStart + windowMs + scenario.settleSeconds * 1000;
    const [, faults] = await Promise.all([
      orderPaced(mes, scenario.devices, windowStart, windowMs * ORDERING_SHARE, deadline),
      runFaults(line, plan, random, windowStart, log),
    ]);
    const settleStart = Date.now();
    await settle(line, mes.workOrderId, settleStart + scenario.settleSeconds * 1000, log);
    const settleMs = Date.now() - settleStart;
    await sleep(RELEASE_GRACE_MS);
    const evidence = await collectEvidence(line, mes);
    result = {
      scenario,
      dir,
      durationMs: Date.now() - started,
      settleMs,
      outcomes: countBy(evidence.devices.map((device) => device.state)),
      chips: countBy(evidence.chips.map((chip) => chip.where)),
      faults,
      simFaultsFired: simFaultsFired(line.simLines),
      recoveries: measureRecoveries(
        faults,
        line.stations.map((station) => station.process),
      ),
      invariants: checkInvariants(evidence),
    };
  } finally {
    await line.close();
  }
  const clean = result.invariants.every((invariant) => invariant.count === 0);
  if (clean && scenario.dir === undefined) await rm(dir, { recursive: true, force: true });
  return result;
}

/** Orders device i at windowStart + i × spacing; every order retries on its own until answered. */
async function orderPaced(mes: ChaosMes, devices: number, windowStart: number, spanMs: number, deadline: number) {
  const spacingMs = spanMs / devices;
  const orders: Promise<void>[] = [];
  for (let index = 0; index < devices; index++) {
    await sleep(Math.max(0, windowStart + index * spacingMs - Date.now()));
    orders.push(mes.order(index, deadline));
  }
  await Promise.all(orders);
}

/** Waits until no device of the work order is queued or claimed, or `deadline`. */
async function settle(line: ChaosLine, workOrderId: string, deadline: number, log: (line: string) => void) {
  const mes = line.client(line.catalog.mesToken);
  let last = '';
  while (Date.now() < deadline) {
    try {
      const { counts } = expectData(await mes.GET('/v1/work-orders/{id}', { params: { path: { id: workOrderId } } }));
      const shown = `provisioned ${counts.provisioned}, quarantined ${counts.quarantined}, queued ${counts.queued}, claimed ${counts.claimed}`;
      if (shown !== last) log(`chaos: settling: ${shown}`);
      last = shown;
      if (counts.issued === counts.planned && counts.queued + counts.claimed === 0) return;
    } catch {
      // the API may still be starting: ask again
    }
    await sleep(1_000);
  }
  log('chaos: settle timeout: devices still queued or claimed are counted as stuck');
}

/** `SN-C<seed in base 36>-`: serials of different runs never collide, and stay within 16 bytes. */
function serialPrefix(seed: number): string {
  return `SN-C${(seed % 46_656).toString(36)}-`;
}

/** From the simulators' logs: faults armed, ignored (stale or overlapping), fired (by FaultPlan key), power restored. */
function simFaultsFired(lines: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  const patterns: readonly (readonly [RegExp, (match: RegExpExecArray) => string])[] = [
    [/feeder: fault armed on /, () => 'armed'],
    [/feeder: fault request for .* ignored/, () => 'ignored'],
    [/feeder: fault fired: (\w+)/, (match) => `fired ${match[1] ?? '?'}`],
    [/feeder: power back on /, () => 'power back'],
  ];
  for (const line of lines)
    for (const [pattern, key] of patterns) {
      const match = pattern.exec(line);
      if (match !== null) counts[key(match)] = (counts[key(match)] ?? 0) + 1;
    }
  return counts;
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
