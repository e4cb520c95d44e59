import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type SimulatedDevice } from '#ingrain/simulator';
import { type ParsedSimulatorOptions } from '../simulator-options.js';
import { parseFaultRequest, type FaultRequest } from './fault-request.js';
import { Feeder, type ReleasedChip, type ReleaseResult } from './feeder.js';
import { type FixtureSlot } from './fixture-slot.js';
import { type ReleaseRequest } from './release-request.js';
import { ReleaseWatcher, RequestWatcher } from './release-watcher.js';

/** The feeder of a running simulator (`startSimulator({ feeder })`). */
export interface SimulatorFeeder {
  /** Releases a fixture's chip as a station's release file would. */
  release(request: Pick<ReleaseRequest, 'port' | 'chipUid' | 'bin' | 'reason'>): ReleaseResult;
  /** Arms a fault on a fixture's chip as a fault request file would (see Feeder.injectFault). */
  injectFault(request: FaultRequest): 'armed' | 'ignored';
  /** Puts a given chip into fixture `slotIndex` by hand (see Feeder.insert). */
  insert(slotIndex: number, chip: SimulatedDevice): void;
  /** Every chip released so far, with its final state. */
  released(): readonly ReleasedChip[];
  /** Chips inserted into fixture `slotIndex` so far (the first included). */
  insertedCount(slotIndex: number): number;
  /** The directory watched for release files, if any. */
  readonly releaseDir: string | undefined;
  close(): Promise<void>;
}

/** Fault request files go to this subdirectory of the release directory (fault-request.ts). */
export const FAULTS_SUBDIRECTORY = 'faults';

interface RunningSlot {
  readonly handle: { readonly port: string };
  readonly slot: FixtureSlot;
}

/**
 * Starts the feeder over the simulator's slots; with `releaseDir`, release files there are carried
 * out (requests already waiting first), and fault request files in its `faults/` subdirectory are
 * armed on the fixtures' chips. Released chips are archived, when there is a state
 * directory, to `<stateDir>/released/<bin>/<uid>.json` (the slot's state file then holds the new chip).
 */
export async function startFeeder(
  options: ParsedSimulatorOptions,
  feederOptions: NonNullable<ParsedSimulatorOptions['feeder']>,
  running: readonly RunningSlot[],
  newChip: (slotIndex: number) => SimulatedDevice,
): Promise<SimulatorFeeder> {
  const log = options.log ?? (() => undefined);
  const stateDir = options.stateDir;
  const feeder = new Feeder(
    running.map(({ handle, slot }) => ({ port: handle.port, slot, newChip: () => newChip(slot.index) })),
    {
      chipsPerFixture: feederOptions.chipsPerFixture,
      log,
      onReleased: stateDir === undefined ? undefined : (chip) => archive(stateDir, chip, log),
    },
  );
  const releaseDir = feederOptions.releaseDir;
  const watcher =
    releaseDir === undefined ? undefined : new ReleaseWatcher(releaseDir, (request) => feeder.release(request), log);
  await watcher?.start();
  const faults =
    releaseDir === undefined
      ? undefined
      : new RequestWatcher(
          join(releaseDir, FAULTS_SUBDIRECTORY),
          parseFaultRequest,
          (request) => feeder.injectFault(request),
          log,
          'a fault request',
        );
  await faults?.start();
  return {
    release: (request) => feeder.release(request),
    injectFault: (request) => feeder.injectFault(request),
    insert: (slotIndex, chip) => feeder.insert(slotIndex, chip),
    released: () => feeder.released(),
    insertedCount: (slotIndex) => feeder.insertedCount(slotIndex),
    releaseDir,
    close: async () => {
      await watcher?.close();
      await faults?.close();
    },
  };
}

function archive(stateDir: string, chip: ReleasedChip, log: (line: string) => void): void {
  try {
    const directory = join(stateDir, 'released', chip.bin);
    mkdirSync(directory, { recursive: true });
    const path = join(directory, `${chip.uidHex}.json`);
    writeFileSync(`${path}.tmp`, `${JSON.stringify(chip.state, null, 2)}\n`);
    renameSync(`${path}.tmp`, path);
  } catch (error) {
    log(`feeder: cannot archive chip ${chip.uidHex}: ${(error as Error).message}`);
  }
}
