import { type SimulatedDevice } from '#ingrain/simulator';
import { DeviceLink } from '../pty/device-link.js';
import { type WireTiming, type WireTimingStats } from '../timing/timed-emitter.js';

/**
 * One device slot behind a pty: it holds one chip at a time, which can be taken out (the slot then
 * answers nothing, like an empty socket) and replaced by another (which starts unsynchronised,
 * as after power-on). Without the feeder the first chip simply stays.
 */
export class FixtureSlot {
  #chip: SimulatedDevice;
  #present = true;
  #link: DeviceLink;

  constructor(
    readonly index: number,
    chip: SimulatedDevice,
    private readonly send: (bytes: Uint8Array) => void,
    private readonly timing: WireTiming | undefined,
  ) {
    this.#chip = chip;
    this.#link = new DeviceLink(chip, send, timing);
  }

  /** The chip in the slot, or the last one taken out while the slot is empty. */
  get chip(): SimulatedDevice {
    return this.#chip;
  }

  get chipPresent(): boolean {
    return this.#present;
  }

  /** Bytes from the host: to the chip, or nowhere when the slot is empty. */
  receive(chunk: Uint8Array): void {
    if (this.#present) this.#link.receive(chunk);
  }

  /** Takes the chip out: its queued replies are dropped, and the slot answers nothing. */
  remove(): SimulatedDevice {
    this.#link.close();
    this.#present = false;
    return this.#chip;
  }

  /** Puts a chip in (taking out the one there, if any). */
  insert(chip: SimulatedDevice): void {
    this.#link.close();
    this.#chip = chip;
    this.#link = new DeviceLink(chip, this.send, this.timing);
    this.#present = true;
  }

  timingStats(): WireTimingStats | undefined {
    return this.#link.timingStats();
  }

  close(): void {
    this.#link.close();
  }
}
