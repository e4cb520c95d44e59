import { type FaultPlan, type SimulatedDevice } from '#ingrain/simulator';

/** How often an armed chip is looked at (fault fired? power cut?). */
const WATCH_INTERVAL_MS = 5;
/** A fault that has not fired after this long is left armed but no longer watched. */
const WATCH_LIMIT_MS = 10 * 60_000;

/** The one-shot faults whose firing the feeder reports (weak cells are properties, not events). */
const EVENT_FAULTS = [
  'powerLossAfterBytes',
  'dropReceivedByte',
  'corruptTransmittedByte',
  'nackCommand',
  'silentFromCommand',
] as const satisfies readonly (keyof FaultPlan)[];

/**
 * Arms `plan` on `chip` and watches it: logs `feeder: fault fired: <name> on <uid>` when a one-shot
 * fault fires, and when the chip loses its power (power-loss fault) powers it back on after
 * `powerBackAfterMs` (`feeder: power back on <uid>`), as a line's supply comes back. The watch ends
 * once every fault fired and the power is back, when `stillInFixture` turns false, or after 10 minutes.
 */
export function armAndWatch(
  chip: SimulatedDevice,
  plan: FaultPlan,
  options: { powerBackAfterMs: number; stillInFixture: () => boolean; log: (line: string) => void },
): void {
  chip.setFaults(plan);
  const pending = new Set<string>(EVENT_FAULTS.filter((name) => plan[name] !== undefined));
  let powerBack: NodeJS.Timeout | undefined;
  const started = Date.now();
  const timer = setInterval(() => {
    const armed = chip.armedFaults();
    for (const name of pending) {
      if (armed[name as keyof FaultPlan] !== undefined) continue;
      pending.delete(name);
      options.log(`feeder: fault fired: ${name} on ${chip.uidHex}`);
    }
    if (chip.status === 'off' && powerBack === undefined) {
      powerBack = setTimeout(() => {
        chip.powerCycle();
        powerBack = undefined;
        options.log(`feeder: power back on ${chip.uidHex}`);
      }, options.powerBackAfterMs);
    }
    const done = pending.size === 0 && powerBack === undefined && chip.status !== 'off';
    if (done || !options.stillInFixture() || Date.now() - started > WATCH_LIMIT_MS) clearInterval(timer);
  }, WATCH_INTERVAL_MS);
  timer.unref();
}

/** True while a one-shot fault of `plan` has not fired yet. */
export function hasPendingEvent(plan: FaultPlan): boolean {
  return EVENT_FAULTS.some((name) => plan[name] !== undefined);
}
