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
    `simulator faults fired: ${entries(result.simFaultsFired)}`,
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
  const measured = result.recoveries.flatMap((entry) =>
    entry.recoveredAfterMs === undefined ? [] : [entry.recoveredAfterMs],
  );
  const missing = result.recoveries.length - measured.length;
  const seconds = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
  return (
    `time to recover (fault → next provisioned report through what it hit), ${measured.length} process faults: ` +
    `p50 ${seconds(percentile(measured, 50))}, max ${seconds(percentile(measured, 100))}` +
    (missing > 0 ? `; ${missing} with no later provisioned report (no work left)` : '')
  );
}

function entries(counts: Readonly<Record<string, number>>): string {
  const list = Object.entries(counts).map(([key, count]) => `${key} ${count}`);
  return list.length === 0 ? 'none' : list.join(', ');
}
