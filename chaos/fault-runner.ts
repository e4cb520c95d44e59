import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ChaosLine } from './line.js';
import { type Phase, type PlannedFault, type SimFaultKind } from './fault-plan.js';
import { type SeededRandom } from './random.js';
import { nextPhaseEvent, sleep } from './station-events.js';

/** How long a kill waits for its phase before it lands wherever the line is ('idle'). */
const PHASE_WAIT_MS = 15_000;

/** A fault as it happened. */
export interface InjectedFault {
  readonly kind: PlannedFault['kind'];
  /** st-1, api, redis, or the fixture's port for a simulator fault. */
  readonly target: string;
  /** The phase the kill landed in ('idle': none seen in time); for a simulator fault its kind. */
  readonly phase: Phase | SimFaultKind;
  readonly persistence?: boolean;
  /** When it struck (ms since the epoch). */
  readonly atMs: number;
  /** A process fault: when the process was back (ms since the epoch). */
  readonly backAtMs?: number;
}

/**
 * Carries out the plan: process faults one after another at their times (each waits for its phase,
 * kills with SIGKILL, waits its down time and starts the process again), simulator faults alongside
 * (armed on the chip a station is about to claim). `startedAt` is the window's start.
 */
export async function runFaults(
  line: ChaosLine,
  plan: { processFaults: readonly PlannedFault[]; simFaults: readonly PlannedFault[] },
  random: SeededRandom,
  startedAt: number,
  log: (line: string) => void,
): Promise<InjectedFault[]> {
  const injected: InjectedFault[] = [];
  const runAll = async (faults: readonly PlannedFault[]) => {
    for (const fault of faults) {
      await sleep(Math.max(0, startedAt + fault.atMs - Date.now()));
      const done = await inject(line, fault, random);
      injected.push(done);
      log(describe(done, startedAt));
    }
  };
  await Promise.all([runAll(plan.processFaults), runAll(plan.simFaults)]);
  return injected.sort((a, b) => a.atMs - b.atMs);
}

async function inject(line: ChaosLine, fault: PlannedFault, random: SeededRandom): Promise<InjectedFault> {
  switch (fault.kind) {
    case 'station-kill': {
      const station = line.stations[fault.station]?.process;
      if (station === undefined) throw new RangeError(`no station ${fault.station}`);
      const seen = await nextPhaseEvent([station], fault.phase, PHASE_WAIT_MS);
      await sleep(jitterMs(fault.phase, random));
      const atMs = Date.now();
      await station.kill();
      await sleep(fault.downMs);
      await station.restart();
      return {
        kind: fault.kind,
        target: station.id,
        phase: seen === undefined ? 'idle' : fault.phase,
        atMs,
        backAtMs: Date.now(),
      };
    }
    case 'api-kill': {
      const seen = await nextPhaseEvent(
        line.stations.map((station) => station.process),
        fault.phase,
        PHASE_WAIT_MS,
      );
      await sleep(jitterMs(fault.phase, random));
      const atMs = Date.now();
      await line.api.kill();
      await sleep(fault.downMs);
      await line.api.start();
      return {
        kind: fault.kind,
        target: 'api',
        phase: seen === undefined ? 'idle' : fault.phase,
        atMs,
        backAtMs: Date.now(),
      };
    }
    case 'redis-restart': {
      const atMs = Date.now();
      await line.redis.restart({ persistence: fault.persistence, downMs: fault.downMs });
      return {
        kind: fault.kind,
        target: 'redis',
        phase: 'idle',
        persistence: fault.persistence,
        atMs,
        backAtMs: Date.now(),
      };
    }
    case 'sim-fault':
      return injectSimFault(line, fault);
  }
}

/** Arms the fault on the chip a station is claiming (or, failing that, on its first fixture). */
async function injectSimFault(
  line: ChaosLine,
  fault: Extract<PlannedFault, { kind: 'sim-fault' }>,
): Promise<InjectedFault> {
  const station = line.stations[fault.station];
  if (station === undefined) throw new RangeError(`no station ${fault.station}`);
  const seen = await nextPhaseEvent([station.process], 'claiming', PHASE_WAIT_MS);
  const fixture = seen?.event['fixture'];
  const port = typeof fixture === 'string' ? fixture : (station.process.fixtures[0] ?? '');
  const chipUid = seen?.event['chipUid'];
  const key = {
    'power-cut': 'powerLossAfterBytes',
    'dropped-byte': 'dropReceivedByte',
    'corrupted-byte': 'corruptTransmittedByte',
  }[fault.fault];
  const request = {
    formatVersion: 1,
    port,
    chipUid: typeof chipUid === 'string' ? chipUid : null,
    plan: { [key]: fault.afterBytes },
    powerBackAfterMs: fault.powerBackAfterMs,
  };
  const directory = join(station.releaseDir, 'faults');
  await mkdir(directory, { recursive: true });
  const name = `${Date.now()}-${randomUUID()}`;
  await writeFile(join(directory, `.${name}.tmp`), JSON.stringify(request));
  await rename(join(directory, `.${name}.tmp`), join(directory, `${name}.json`));
  return { kind: 'sim-fault', target: port, phase: fault.fault, atMs: Date.now() };
}

/** A kill in the write phase lands anywhere in the write (about 100 ms); in the others, at once. */
function jitterMs(phase: Phase, random: SeededRandom): number {
  return phase === 'writing' ? random.int(0, 120) : random.int(0, 10);
}

function describe(fault: InjectedFault, startedAt: number): string {
  const at = ((fault.atMs - startedAt) / 1000).toFixed(1);
  const persistence =
    fault.persistence === undefined ? '' : fault.persistence ? ' (with persistence)' : ' (without persistence)';
  return `chaos: ${at} s  ${fault.kind} ${fault.target} in ${fault.phase}${persistence}`;
}
