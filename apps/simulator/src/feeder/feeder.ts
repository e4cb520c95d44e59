import { type DeviceState } from '#ingrain/simulator';
import { type SimulatedDevice } from '#ingrain/simulator';
import { armAndWatch, hasPendingEvent } from './fault-injection.js';
import { type FaultRequest } from './fault-request.js';
import { type FixtureSlot } from './fixture-slot.js';
import { type ReleaseRequest } from './release-request.js';

/** A slot the feeder serves: its host port and how to make a new blank chip for it. */
export interface FeederSlot {
  /** The host end of the slot's pty (what the station calls the fixture's port). */
  readonly port: string;
  readonly slot: FixtureSlot;
  /** A new blank chip with a new random UID (saved as the slot's state file, when there is one). */
  newChip(): SimulatedDevice;
}

/** A chip the station released, with what it held when it left the fixture. */
export interface ReleasedChip {
  readonly slotIndex: number;
  readonly port: string;
  readonly uidHex: string;
  readonly bin: ReleaseRequest['bin'];
  readonly reason: string;
  readonly state: DeviceState;
}

/** What a release request did. */
export type ReleaseResult =
  /** The chip went to its bin and a new blank chip is in the slot. */
  | 'replaced'
  /** The chip went to its bin; the slot's chip budget is spent, so it stays empty. */
  | 'emptied'
  /** Stale or unknown: no such port, an empty slot, or another chip than the one named. */
  | 'ignored';

export interface FeederOptions {
  /** Chips that pass through each fixture, the first included. Default: no limit. */
  readonly chipsPerFixture?: number;
  /** Called for every released chip (e.g. to archive its state file). */
  readonly onReleased?: (chip: ReleasedChip) => void;
  readonly log?: (line: string) => void;
}

/**
 * The chip handler of a simulated line: when the station releases the chip of a fixture, the chip
 * goes to the named bin and the next blank chip (new UID) is inserted, until the fixture's chip
 * budget is spent. So a demo or a benchmark runs many chips through few fixtures.
 */
export class Feeder {
  readonly #slots: readonly FeederSlot[];
  readonly #inserted: number[];
  readonly #released: ReleasedChip[] = [];

  constructor(
    slots: readonly FeederSlot[],
    private readonly options: FeederOptions = {},
  ) {
    this.#slots = slots;
    this.#inserted = slots.map(() => 1);
  }

  /** Carries out a release request (see {@link ReleaseResult}). Never throws for a stale request. */
  release(request: Pick<ReleaseRequest, 'port' | 'chipUid' | 'bin' | 'reason'>): ReleaseResult {
    const log = this.options.log ?? (() => undefined);
    const index = this.#slots.findIndex((slot) => slot.port === request.port);
    const target = this.#slots[index];
    if (target === undefined || !target.slot.chipPresent) return this.#ignore(request, 'no chip in that fixture');
    const chip = target.slot.chip;
    if (request.chipUid !== null && request.chipUid !== chip.uidHex)
      return this.#ignore(request, 'another chip is in the fixture');
    target.slot.remove();
    const released = {
      slotIndex: index,
      port: target.port,
      uidHex: chip.uidHex,
      bin: request.bin,
      reason: request.reason,
      state: chip.exportState(),
    };
    this.#released.push(released);
    this.options.onReleased?.(released);
    const budget = this.options.chipsPerFixture ?? Number.POSITIVE_INFINITY;
    if ((this.#inserted[index] ?? 0) >= budget) {
      log(
        `feeder: fixture ${index} (${target.port}): chip ${chip.uidHex} → ${request.bin}; budget of ${budget} spent, fixture left empty`,
      );
      return 'emptied';
    }
    const next = target.newChip();
    target.slot.insert(next);
    this.#inserted[index] = (this.#inserted[index] ?? 0) + 1;
    log(`feeder: fixture ${index} (${target.port}): chip ${chip.uidHex} → ${request.bin}; inserted ${next.uidHex}`);
    return 'replaced';
  }

  /**
   * Puts a given chip into a fixture by hand (an operator moving a chip from another fixture or
   * line), replacing whatever is there. No release is recorded and the budget is not charged.
   */
  insert(slotIndex: number, chip: SimulatedDevice): void {
    const target = this.#slots[slotIndex];
    if (target === undefined) throw new RangeError(`no fixture ${slotIndex}`);
    target.slot.insert(chip);
    this.options.log?.(`feeder: fixture ${slotIndex} (${target.port}): chip ${chip.uidHex} inserted by hand`);
  }

  /**
   * Arms a fault request on the chip fixture `request.port` holds (see fault-injection.ts).
   * 'ignored' for no such port, an empty fixture, another chip than the one named, or a chip with a
   * one-shot fault still armed (a new plan would replace it unseen).
   */
  injectFault(request: FaultRequest): 'armed' | 'ignored' {
    const log = this.options.log ?? (() => undefined);
    const ignore = (why: string) => {
      log(`feeder: fault request for ${request.port} ignored: ${why}`);
      return 'ignored' as const;
    };
    const target = this.#slots.find((slot) => slot.port === request.port);
    if (target === undefined || !target.slot.chipPresent) return ignore('no chip in that fixture');
    const chip = target.slot.chip;
    if (request.chipUid !== null && request.chipUid !== chip.uidHex) return ignore('another chip is in the fixture');
    if (hasPendingEvent(chip.armedFaults()))
      return ignore('a fault armed earlier has not fired yet (one at a time per chip)');
    log(`feeder: fault armed on ${chip.uidHex} (${request.port}): ${JSON.stringify(request.plan)}`);
    armAndWatch(chip, request.plan, {
      powerBackAfterMs: request.powerBackAfterMs,
      stillInFixture: () => target.slot.chipPresent && target.slot.chip === chip,
      log,
    });
    return 'armed';
  }

  /** Every chip released so far, in order. */
  released(): readonly ReleasedChip[] {
    return [...this.#released];
  }

  /** Chips inserted into a fixture so far (the first one included). */
  insertedCount(slotIndex: number): number {
    return this.#inserted[slotIndex] ?? 0;
  }

  #ignore(request: Pick<ReleaseRequest, 'port' | 'chipUid'>, why: string): 'ignored' {
    this.options.log?.(
      `feeder: request for ${request.chipUid ?? 'an unknown chip'} on ${request.port} ignored: ${why}`,
    );
    return 'ignored';
  }
}
