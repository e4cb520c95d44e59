import { type SeededRandom } from './random.js';
import { type Scenario } from './scenario.js';

/** Where a station is in a cycle, from its log: `job-claiming`, `job-programming`, `job-reporting`. */
export type Phase = 'claiming' | 'writing' | 'reporting' | 'idle';
export type SimFaultKind = 'power-cut' | 'dropped-byte' | 'corrupted-byte';

/** A kill lands in the busiest phases most often: writing (OTP bytes going in), reporting. */
export const KILL_PHASE_WEIGHTS: readonly (readonly [Phase, number])[] = [
  ['writing', 45],
  ['reporting', 35],
  ['claiming', 15],
  ['idle', 5],
];

export type PlannedFault =
  | {
      readonly kind: 'station-kill';
      readonly atMs: number;
      readonly station: number;
      readonly phase: Phase;
      readonly downMs: number;
    }
  | { readonly kind: 'api-kill'; readonly atMs: number; readonly phase: Phase; readonly downMs: number }
  | { readonly kind: 'redis-restart'; readonly atMs: number; readonly persistence: boolean; readonly downMs: number }
  | {
      readonly kind: 'sim-fault';
      readonly atMs: number;
      readonly station: number;
      readonly fault: SimFaultKind;
      /** powerLossAfterBytes, dropReceivedByte or corruptTransmittedByte. */
      readonly afterBytes: number;
      readonly powerBackAfterMs: number;
    };

/** The process faults (one at a time, in time order) and the simulator faults (alongside), of a run. */
export interface FaultPlan {
  readonly processFaults: readonly PlannedFault[];
  readonly simFaults: readonly PlannedFault[];
}

const SIM_FAULT_KINDS: readonly SimFaultKind[] = ['power-cut', 'dropped-byte', 'corrupted-byte'];

/**
 * Draws the run's faults from the seed: each at a random moment of the window's 5–85 % (the rest is
 * for the line to catch up), kills with a phase drawn from {@link KILL_PHASE_WEIGHTS}, Redis
 * restarts alternately without and with persistence, simulator faults in turn with the byte count
 * at which they fire (counted from the claim of the chip they are armed on).
 */
export function planFaults(scenario: Scenario, random: SeededRandom): FaultPlan {
  const windowMs = scenario.minutes * 60_000;
  const at = () => Math.round(windowMs * (0.05 + 0.8 * random.next()));
  const processFaults: PlannedFault[] = [];
  for (let i = 0; i < scenario.stationKills; i++) {
    const station = random.int(0, scenario.stations - 1);
    const phase = random.weighted(KILL_PHASE_WEIGHTS);
    processFaults.push({ kind: 'station-kill', atMs: at(), station, phase, downMs: random.int(200, 3_000) });
  }
  for (let i = 0; i < scenario.apiKills; i++)
    processFaults.push({
      kind: 'api-kill',
      atMs: at(),
      phase: random.weighted(KILL_PHASE_WEIGHTS),
      downMs: random.int(200, 3_000),
    });
  for (let i = 0; i < scenario.redisRestarts; i++)
    processFaults.push({ kind: 'redis-restart', atMs: at(), persistence: i % 2 === 1, downMs: random.int(100, 2_000) });
  const simFaults: PlannedFault[] = [];
  for (let i = 0; i < scenario.simFaults; i++) {
    const fault = SIM_FAULT_KINDS[i % SIM_FAULT_KINDS.length] ?? 'power-cut';
    simFaults.push({
      kind: 'sim-fault',
      atMs: at(),
      station: random.int(0, scenario.stations - 1),
      fault,
      afterBytes: simFaultBytes(fault, random),
      powerBackAfterMs: random.int(50, 3_000),
    });
  }
  const byTime = (a: PlannedFault, b: PlannedFault) => a.atMs - b.atMs;
  return { processFaults: processFaults.sort(byTime), simFaults: simFaults.sort(byTime) };
}

/** Bytes after the claim: a sample-node image is about 105 payload bytes written (with its lock bytes) and 600 read back. */
function simFaultBytes(fault: SimFaultKind, random: SeededRandom): number {
  switch (fault) {
    case 'power-cut':
      return random.int(0, 110);
    case 'dropped-byte':
      return random.int(1, 400);
    case 'corrupted-byte':
      return random.int(1, 120);
  }
}
