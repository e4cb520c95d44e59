import { renderTextTable } from '../testkit/tables.js';
import { type InjectedFault } from './fault-runner.js';
import { percentile } from './recovery.js';
import { type ChaosResult } from './run.js';

/** The printed result: the run, the faults by kind and phase, recovery times, then the invariant table. */
export function renderReport(result: ChaosResult): string {
  const { scenario } = result;
  const lines = [
    `chaos run: seed ${scenario.seed}, ${scenario.devices} devices, ${scenario.stations} stations × ${scenario.fixturesPerStation} fixtures, ` +
      `${scenario.minutes} min window, ${(result.durationMs / 1000).toFixed(0)} s in all (settled ${(result.settleMs / 1000).toFixed(0)} s after the faults)`,
    `devices: ${entries(result.outcomes)}; chips: ${entries(result.chips)}`,
    '',
    renderTextTable({ columns: ['fault', 'where / phase', 'count'], rows: faultRows(result.faults) }),
    `simulator faults (from its log): ${entries(result.simFaultsFired)}`,
    '',
    recoveryLine(result),
    '',
    renderTextTable({
      columns: ['invariant (must be 0)', 'count'],
      rows: result.invariants.map((invariant) => [invariant.name, String(invariant.count)]),
    }),
  ];
  for (const invariant of result.invariants)
    for (const detail of invariant.details.slice(0, 20)) lines.push(`  ${invariant.name}: ${detail}`);
  const failed = result.invariants.filter((invariant) => invariant.count > 0);
  lines.push(
    '',
    failed.length === 0
      ? 'All invariants hold.'
      : `FAILED: ${failed.map((invariant) => invariant.name).join(', ')} (evidence kept in ${result.dir})`,
  );
  return `${lines.join('\n')}\n`;
}

function faultRows(faults: readonly InjectedFault[]): string[][] {
  const counts = new Map<string, number>();
  for (const fault of faults) {
    const where =
      fault.kind === 'redis-restart'
        ? fault.persistence === true
          ? 'with persistence'
          : 'without persistence'
        : fault.kind === 'sim-fault'
          ? fault.phase
          : `in ${fault.phase}`;
    const key = `${fault.kind}\u0000${where}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].sort().map(([key, count]) => [...key.split('\u0000'), String(count)]);
}

function recoveryLine(result: ChaosResult): string {
  const seconds = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
  const measuredOf = (kind?: string) =>
    result.recoveries
      .filter((entry) => kind === undefined || entry.fault.kind === kind)
      .flatMap((entry) => (entry.recoveredAfterMs === undefined ? [] : [entry.recoveredAfterMs]));
  const all = measuredOf();
  const missing = result.recoveries.length - all.length;
  const rows = ['station-kill', 'api-kill', 'redis-restart', undefined].map((kind) => {
    const measured = measuredOf(kind);
    return [
      kind ?? 'all',
      String(measured.length),
      seconds(percentile(measured, 50)),
      seconds(percentile(measured, 100)),
    ];
  });
  return [
    'time to recover: from the fault to the next report the API accepts as provisioned through what it hit',
    renderTextTable({ columns: ['fault', 'measured', 'p50', 'max'], rows }),
    ...(missing > 0 ? [`${missing} fault(s) with no later provisioned report (no work left after them)`] : []),
  ].join('\n');
}

function entries(counts: Readonly<Record<string, number>>): string {
  const list = Object.entries(counts).map(([key, count]) => `${key} ${count}`);
  return list.length === 0 ? 'none' : list.join(', ');
}
