// What the station-crash end-to-end test needs around the stack: the state of a simulated chip
// (blank, part written, locked), moving a chip between fixtures as an operator would, waiting for an
// event on whichever station logs it first, and reading a line job as BullMQ holds it.
import { pollUntil, type StationEvent, type StationProcess } from '../../../testkit/stack/index.js';
import { type SimulatedDevice, type TestSimulator } from '../../support/simulator.js';

/** OTP bytes the erased state (0xFF) no longer holds. */
const BLANK_BYTE = 0xff;

/** Offsets of the bytes that are programmed (not 0xFF). */
export function programmedOffsets(bytes: Uint8Array): number[] {
  return [...bytes.keys()].filter((offset) => bytes[offset] !== BLANK_BYTE);
}

/** Whether the chip's OTP data and lock bytes are all still erased. */
export function isBlank(chip: SimulatedDevice): boolean {
  const { data, lockBytes } = chip.otp();
  return programmedOffsets(data).length === 0 && programmedOffsets(lockBytes).length === 0;
}

/**
 * Polls the chip (in-process, every few ms) until some of its data bytes are programmed while no
 * block is locked yet — the write phase of a cycle — and returns how many are programmed.
 * @throws Error when a lock byte is programmed first (the write phase was missed) or after `timeoutMs`.
 */
export function waitForWriteInProgress(chip: SimulatedDevice, timeoutMs: number): Promise<number> {
  return pollUntil(
    `chip ${chip.uidHex}: data programming`,
    () => {
      const programmed = programmedOffsets(chip.otp().data).length;
      return programmed > 0 ? programmed : undefined;
    },
    {
      timeoutMs,
      intervalMs: 5,
      abort: () =>
        programmedOffsets(chip.otp().lockBytes).length > 0
          ? 'a block was locked: the write phase was missed'
          : undefined,
    },
  );
}

/**
 * What an operator does with a chip from a dead station's fixture: takes it out (its power goes:
 * whatever command it was receiving is lost, its OTP stays) and puts it into fixture `slotIndex`.
 */
export function moveChip(sim: TestSimulator, chip: SimulatedDevice, slotIndex: number): void {
  if (sim.feeder === undefined) throw new Error('moveChip needs the simulator in feeder mode');
  chip.powerCycle();
  sim.feeder.insert(slotIndex, chip);
}

/** The first event named `event` matching `where` that any of `stations` logged at or after `from`. */
export function waitForAnyStation(
  stations: readonly StationProcess[],
  event: string,
  where: (entry: StationEvent) => boolean,
  options: { timeoutMs: number; from?: ReadonlyMap<StationProcess, number> },
): Promise<{ station: StationProcess; entry: StationEvent }> {
  return pollUntil(
    `an event ${event} on stations ${stations.map((station) => station.id).join(', ')}`,
    () => {
      for (const station of stations) {
        const entry = station.events
          .slice(options.from?.get(station) ?? 0)
          .find((candidate) => candidate.event === event && where(candidate));
        if (entry !== undefined) return { station, entry };
      }
      return undefined;
    },
    { timeoutMs: options.timeoutMs, intervalMs: 10 },
  );
}
