import { type StationEvent, type StationProcess } from '../testkit/stack/index.js';
import { type Phase } from './fault-plan.js';

/** The station log event that starts each phase of a cycle (apps/station's job steps). */
export const PHASE_EVENTS: Readonly<Record<Exclude<Phase, 'idle'>, string>> = {
  claiming: 'job-claiming',
  writing: 'job-programming',
  reporting: 'job-reporting',
};

/**
 * The first event starting `phase` that one of `stations` logs from now on, polled every 2 ms (a
 * kill lands within a few ms of the line); undefined after `timeoutMs` or for 'idle'.
 */
export async function nextPhaseEvent(
  stations: readonly StationProcess[],
  phase: Phase,
  timeoutMs: number,
): Promise<{ station: StationProcess; event: StationEvent } | undefined> {
  if (phase === 'idle') return undefined;
  const name = PHASE_EVENTS[phase];
  const from = new Map(stations.map((station) => [station, station.events.length]));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const station of stations) {
      if (!station.running) continue;
      const event = station.events.slice(from.get(station)).find((entry) => entry.event === name);
      if (event !== undefined) return { station, event };
    }
    await sleep(2);
  }
  return undefined;
}

/** Milliseconds since the epoch of an event's `time`, or undefined. */
export function eventTimeMs(event: StationEvent): number | undefined {
  const time = event['time'];
  const parsed = typeof time === 'string' ? Date.parse(time) : NaN;
  return Number.isNaN(parsed) ? undefined : parsed;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
