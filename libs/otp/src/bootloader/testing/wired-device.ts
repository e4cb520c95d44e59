// Test glue (not exported from the library): libs/simulator's device model served on one end of a
// memory link, byte by byte like the ROM (pending command bytes, partial frames, no timeout), with
// what it received, sent, executed and wrote recorded for assertions. No protocol logic lives here.
import {
  type DamagedByte,
  type FaultPlan,
  SimulatedDevice,
  type SimulatedDeviceOptions,
  type StageHook,
} from '#ingrain/simulator';
import { type DeviceProfile } from '../../profiles/index.js';
import { type DeviceTransport } from '../../transport/index.js';

/** How a test wants the device to behave. */
export interface WiredDeviceOptions {
  /** Get ID answer. Default: the profile's first product ID; any other value is answered as given. */
  readonly productId?: number;
  /** Opcodes the Get reply lists. Default: a v3.1 ROM's. */
  readonly commands?: readonly number[];
  /** Answer to a write into a locked block. Default 'ack'. */
  readonly lockedWriteReply?: 'ack' | 'nack';
  /** Replaces the device's answer at chosen protocol stages (see the simulator's `StageFault`). */
  readonly onStage?: StageHook;
  /** The simulator's declarative faults (weak cells, power loss, ...). */
  readonly faults?: FaultPlan;
}

/** What a wire to the chip observes: the commands it accepts and the blocks it programs. */
export interface ChipListener {
  readonly onCommand?: (opcode: number) => void;
  readonly onWrite?: (address: number, bytes: Uint8Array) => void;
}

/** The chip's memory as tests see it: copies of the OTP, and direct preloading of used chips. */
export class ChipView {
  /** The wire currently attached (set by {@link WiredDevice}). */
  listener: ChipListener = {};

  constructor(
    readonly model: SimulatedDevice,
    readonly profile: DeviceProfile,
  ) {}

  get data(): Uint8Array {
    return this.model.otp().data;
  }

  get lockBytes(): Uint8Array {
    return this.model.otp().lockBytes;
  }

  get uid(): Uint8Array {
    return Uint8Array.from(Buffer.from(this.model.uidHex, 'hex'));
  }

  /** Every OTP rule the host broke (bytes programmed twice, closed double-words, bad lock values). */
  get damaged(): readonly DamagedByte[] {
    return this.model.damagedBytes();
  }

  /** Sets OTP data bytes directly (a chip an earlier run left half-programmed). */
  setData(bytes: ArrayLike<number>, offsetBytes = 0): void {
    this.model.preload('data', offsetBytes, bytes);
  }

  /** Sets lock bytes directly. */
  setLockBytes(bytes: ArrayLike<number>, offsetBytes = 0): void {
    this.model.preload('lock', offsetBytes, bytes);
  }
}

/** A chip of `profile` (UID A0 A1 … AB unless given) with the options' behaviour. */
export function createChip(profile: DeviceProfile, options: WiredDeviceOptions = {}): ChipView {
  const productId = options.productId ?? profile.productIds[0] ?? 0;
  const listed = profile.productIds.includes(productId);
  const modelOptions: SimulatedDeviceOptions = {
    family: profile.family,
    uid: Uint8Array.from({ length: profile.uidLengthBytes }, (_, i) => 0xa0 + i),
    ...(listed ? { productId } : { unlistedProductId: productId }),
    lockedWriteAck: options.lockedWriteReply !== 'nack',
    ...(options.commands === undefined ? {} : { advertisedCommands: options.commands }),
    ...(options.faults === undefined ? {} : { faults: options.faults }),
    hooks: {
      onStage: (event) => options.onStage?.(event),
      onCommand: (opcode) => view.listener.onCommand?.(opcode),
      onWrite: (address, bytes) => view.listener.onWrite?.(address, bytes),
    },
  };
  const view: ChipView = new ChipView(new SimulatedDevice(modelOptions), profile);
  return view;
}

/**
 * Serves a chip on a transport. Records every byte the device took in (not while it hangs), the
 * count of bytes it sent, the opcodes it accepted and the Write Memory blocks it was about to program.
 */
export class WiredDevice {
  /** Every byte the device received, in order. */
  readonly received: number[] = [];
  /** Count of bytes the device sent. */
  sentBytes = 0;
  /** Opcodes of every well-formed command accepted. */
  readonly commandLog: number[] = [];
  /** Write Memory blocks received with a good checksum (programmed, or refused by a lock). */
  readonly writes: { address: number; bytes: Uint8Array }[] = [];
  readonly chip: ChipView;

  /** A new chip, or (with `chip`) a new wire to an existing one: the logs start empty either way. */
  constructor(profile: DeviceProfile, options: WiredDeviceOptions = {}, chip?: ChipView) {
    this.chip = chip ?? createChip(profile, options);
    this.chip.listener = {
      onCommand: (opcode) => this.commandLog.push(opcode),
      onWrite: (address, bytes) => this.writes.push({ address, bytes }),
    };
  }

  /** Serves `transport` until it closes. */
  attach(transport: DeviceTransport): void {
    void this.serve(transport);
  }

  /** Back from a hang; with `powerCycle` also unsynchronised (as after a reset). */
  revive(powerCycle = false): void {
    if (powerCycle) this.chip.model.powerCycle();
    else this.chip.model.resume();
  }

  /** Feeds one received byte; returns the bytes the device sends back (after the line, if any). */
  feed(byte: number): number[] {
    const status = this.chip.model.status;
    if (status === 'silent' || status === 'off') return [];
    this.received.push(byte);
    const sent = this.chip.model.receive(Uint8Array.of(byte)).flatMap((reply) => [...reply.bytes]);
    return this.line(sent);
  }

  /** What the wire does to the bytes the device sends: nothing here (see the noisy harness). */
  protected line(sent: number[]): number[] {
    return sent;
  }

  private async serve(transport: DeviceTransport): Promise<void> {
    for (;;) {
      let byte: number;
      try {
        byte = (await transport.read(1, Infinity))[0] ?? 0;
      } catch {
        return;
      }
      const reply = this.feed(byte);
      this.sentBytes += reply.length;
      if (reply.length > 0) await transport.write(Uint8Array.from(reply)).catch(() => undefined);
    }
  }
}
