import { type StationProcess } from '../testkit/stack/index.js';
import { type InjectedFault } from './fault-runner.js';
import { eventTimeMs } from './station-events.js';

/** A process fault and how long the line took to provision a device again through what it hit. */
export interface Recovery {
  readonly fault: InjectedFault;
  /** From the fault to the next report the API accepted as provisioned; undefined: none came. */
  readonly recoveredAfterMs: number | undefined;
}

/**
 * Time to recover of each process fault, from the station logs: from the moment it struck to the
 * first `report-delivered` with verdict `provisioned` after it — logged by the killed station for a
 * station kill, by any station for an API kill or a Redis restart (the whole line depends on them).
 */
export function measureRecoveries(faults: readonly InjectedFault[], stations: readonly StationProcess[]): Recovery[] {
  const delivered = stations.flatMap((station) =>
    station.events
      .filter((event) => event.event === 'report-delivered' && event['verdict'] === 'provisioned')
      .map((event) => ({ station: station.id, atMs: eventTimeMs(event) ?? Number.NaN })),
  );
  return faults
    .filter((fault) => fault.kind !== 'sim-fault')
    .map((fault) => {
      const after = delivered
        .filter((entry) => entry.atMs > fault.atMs && (fault.kind !== 'station-kill' || entry.station === fault.target))
        .map((entry) => entry.atMs);
      return { fault, recoveredAfterMs: after.length === 0 ? undefined : Math.min(...after) - fault.atMs };
    });
}

/** The p-th percentile (nearest rank) of `values`, undefined when empty. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
