// Test glue (not exported from the library): the simulator's device of bootloader/testing with a
// noisy line in front of it, which alters chosen bytes the device transmits, as a flipped bit on a
// real wire would (AN3155 replies to Get, Get ID and Read Memory carry no checksum).
import { STM32F4, type DeviceProfile } from '../../profiles/index.js';
import { type Harness, wire } from '../../bootloader/testing/harness.js';
import { type ChipView, WiredDevice, type WiredDeviceOptions } from '../../bootloader/testing/wired-device.js';

/** One transmitted byte to alter: the `byteIndex`-th byte sent for the `occurrence`-th `opcode` command. */
export interface ReplyCorruption {
  readonly opcode: number;
  /** 1-based count of commands with this opcode since the line was connected. */
  readonly occurrence: number;
  /**
   * 0-based index among the bytes the device sends for that command, ACKs included. Get ID:
   * `79 01 PIDhi PIDlo 79` (PIDlo = 3). Read Memory: `79` `79` `79 d0 d1 …` (data byte i = 3 + i).
   */
  readonly byteIndex: number;
  /** What the line turns the byte into; default: every bit inverted. */
  readonly alter?: (byte: number) => number;
}

/** Index of data byte `i` of a Read Memory reply, for `ReplyCorruption.byteIndex`. */
export const readDataByte = (i: number): number => 3 + i;

/** Index of the PID's low byte in a Get ID reply. */
export const GET_ID_PID_LOW_BYTE = 3;

/** A device whose transmitted bytes pass through a line that applies `corruptions`, each once. */
export class NoisyWiredDevice extends WiredDevice {
  private commandsSeen = 0;
  private sentForCommand = 0;
  /** Corruptions that have been applied. */
  readonly applied: ReplyCorruption[] = [];

  constructor(
    profile: DeviceProfile,
    options: WiredDeviceOptions,
    chip: ChipView | undefined,
    private readonly corruptions: readonly ReplyCorruption[],
  ) {
    super(profile, options, chip);
  }

  protected override line(sent: number[]): number[] {
    if (this.commandLog.length !== this.commandsSeen) {
      this.commandsSeen = this.commandLog.length;
      this.sentForCommand = 0;
    }
    const opcode = this.commandLog.at(-1);
    const occurrence = this.commandLog.filter((op) => op === opcode).length;
    const out = sent.map((value, i) => {
      const index = this.sentForCommand + i;
      const hit = this.corruptions.find(
        (c) => c.opcode === opcode && c.occurrence === occurrence && c.byteIndex === index && !this.applied.includes(c),
      );
      if (hit === undefined) return value;
      this.applied.push(hit);
      return (hit.alter ?? ((b: number) => b ^ 0xff))(value) & 0xff;
    });
    this.sentForCommand += sent.length;
    return out;
  }
}

/** Like `createHarness`, with a noisy line between the device and the client. */
export function createNoisyHarness(
  corruptions: readonly ReplyCorruption[],
  options: { profile?: DeviceProfile; device?: WiredDeviceOptions; chip?: ChipView } = {},
): Harness & { readonly device: NoisyWiredDevice } {
  const profile = options.chip?.profile ?? options.profile ?? STM32F4;
  return wire(new NoisyWiredDevice(profile, options.device ?? {}, options.chip, corruptions));
}
