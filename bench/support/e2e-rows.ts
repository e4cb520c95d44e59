// One bench:e2e table row per line shape: its rounds' figures and their means (rates, phase means,
// CPU), so a run-to-run spread shows next to the number the targets are read from.
import { CPU_COMPONENTS, type CpuComponent, type CpuUsage } from './e2e-cpu.js';
import { fixturesOf, type LineConfig, type LineRun } from './e2e-line.js';
import { PHASES, type Phase, phaseMeans, type PhaseMeans } from './e2e-phases.js';
import { lineRates, type LineRates } from './e2e-rates.js';

export interface Row {
  readonly config: LineConfig;
  readonly fixtures: number;
  /** Each round's rates, in run order. */
  readonly rounds: readonly LineRates[];
  /** Means over the rounds. */
  readonly rates: LineRates;
  readonly phases: PhaseMeans;
  readonly cpu: CpuUsage;
}

const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;

function meanRates(rounds: readonly LineRates[]): LineRates {
  const of = (pick: (rates: LineRates) => number) => mean(rounds.map(pick));
  return {
    fixtures: rounds[0]?.fixtures ?? Number.NaN,
    devices: rounds[0]?.devices ?? Number.NaN,
    steadyPerSecond: of((rates) => rates.steadyPerSecond),
    wallPerSecond: of((rates) => rates.wallPerSecond),
    firstDeviceMs: of((rates) => rates.firstDeviceMs),
    orderingMs: of((rates) => rates.orderingMs),
  };
}

function meanPhases(rounds: readonly PhaseMeans[]): PhaseMeans {
  const phasesMs = Object.fromEntries(
    PHASES.map((phase) => [phase, mean(rounds.map((round) => round.phasesMs[phase]))]),
  ) as Record<Phase, number>;
  return {
    phasesMs,
    periodMs: mean(rounds.map((round) => round.periodMs)),
    cycleTotalMs: mean(rounds.map((round) => round.cycleTotalMs)),
    jobs: rounds.reduce((sum, round) => sum + round.jobs, 0),
  };
}

function meanCpu(rounds: readonly CpuUsage[]): CpuUsage {
  const coresByComponent = Object.fromEntries(
    CPU_COMPONENTS.map((component) => [component, mean(rounds.map((round) => round.coresByComponent[component]))]),
  ) as Record<CpuComponent, number>;
  return {
    windowMs: rounds.reduce((sum, round) => sum + round.windowMs, 0),
    coresByComponent,
    machineCores: mean(rounds.map((round) => round.machineCores)),
    othersCores: mean(rounds.map((round) => round.othersCores)),
    coreCount: rounds[0]?.coreCount ?? Number.NaN,
  };
}

/**
 * One row per line shape from its rounds (every round of a shape has the same config).
 * @throws Error for a shape without rounds, or a round without steady state or complete jobs.
 */
export function rowsOf(runsByShape: readonly (readonly LineRun[])[]): Row[] {
  return runsByShape.map((runs) => {
    const config = runs[0]?.config;
    if (config === undefined) throw new Error('a line shape without runs');
    const rounds = runs.map(lineRates);
    return {
      config,
      fixtures: fixturesOf(config),
      rounds,
      rates: meanRates(rounds),
      // Per run: a fixture's port name may come back in the next round (hand-offs must not span runs).
      phases: meanPhases(runs.map((run) => phaseMeans(run.events))),
      cpu: meanCpu(runs.map((run) => run.cpu)),
    };
  });
}
