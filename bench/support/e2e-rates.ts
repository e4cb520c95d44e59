// bench:e2e's figures from one configuration's run: the steady-state rate (between the F-th and the
// last completion, F = fixtures), the wall rate (first request → last attestation) and the first
// device's latency.
import { fixturesOf, type LineRun } from './e2e-line.js';

export interface LineRates {
  readonly fixtures: number;
  readonly devices: number;
  /** (N − F) devices over the time from the F-th to the N-th attestation, per second. */
  readonly steadyPerSecond: number;
  /** N devices over first request → last attestation, per second. */
  readonly wallPerSecond: number;
  /** First request → first attestation. */
  readonly firstDeviceMs: number;
  /** First request → the MES had every device's answer. */
  readonly orderingMs: number;
}

/**
 * Steady state: once every fixture finished its first device, the line runs full; from there to the
 * last completion, N − F devices complete. Whether fixtures finish in lock-step (bursts of F) or
 * staggered, (N − F) / (t_N − t_F) is the sustained rate; the ramp-up (first identity, first probe of
 * each fixture) is left out. The tail, where fixtures fall idle one by one, stays in: its cost is
 * at most one cycle per fixture, which is why N is several chips per fixture.
 * @throws Error when the run has no more devices than fixtures.
 */
export function lineRates(run: LineRun): LineRates {
  const fixtures = fixturesOf(run.config);
  const times = run.attestedAtMs;
  const devices = times.length;
  const first = times[0];
  const kth = times[fixtures - 1];
  const last = times[devices - 1];
  if (first === undefined || kth === undefined || last === undefined || devices <= fixtures || last <= kth)
    throw new Error(`${run.config.label}: ${devices} completions for ${fixtures} fixtures: no steady state`);
  return {
    fixtures,
    devices,
    steadyPerSecond: (devices - fixtures) / ((last - kth) / 1000),
    wallPerSecond: devices / ((last - run.firstRequestAtMs) / 1000),
    firstDeviceMs: first - run.firstRequestAtMs,
    orderingMs: run.orderedAtMs - run.firstRequestAtMs,
  };
}
