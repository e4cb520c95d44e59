import { randomBytes } from 'node:crypto';
import { bytesToHex } from '#ingrain/encoding';
import {
  type ChipFamily,
  type DeviceProfile,
  type OtpState,
  getProfile,
  lockByteCount,
  otpSizeBytes,
} from '#ingrain/otp';
import { SimulatorError } from '../errors.js';
import { FaultInjector } from '../faults/fault-injector.js';
import { type FaultPlan, faultPlanSchema } from '../faults/fault-plan.js';
import { BootloaderSession, type DeviceHooks, type SessionEvent } from './bootloader-session.js';
import { type BootPinLevels, type BootPinsOptions, type RunMode } from './boot-pins.js';
import { type DeviceState, stateHexToBytes } from './device-state.js';
import { type FamilyTraits, familyTraits } from './family-traits.js';
import { type DamagedByte, OtpMemory, type OtpMemoryContent } from './otp-memory.js';
import { ADVERTISED_COMMANDS } from './protocol.js';
import { ReadoutProtection, type ReadoutProtectionLevel } from './readout-protection.js';

/** Options of one {@link SimulatedDevice}. */
export interface SimulatedDeviceOptions {
  readonly family: ChipFamily;
  /** Get ID answer; must be one of the family's product IDs. Default: the family's usual part. */
  readonly productId?: number;
  /** The 12-byte UID in memory order. Default: random (ignored when `state` is given). */
  readonly uid?: Uint8Array;
  /** Answer for writes into a locked block: ACK (default, true) or NACK. Nothing changes either way. */
  readonly lockedWriteAck?: boolean;
  readonly faults?: FaultPlan;
  /** A saved chip to resume (its family must match). */
  readonly state?: DeviceState;
  /** Called with the new state after every Write Memory that reached the OTP. */
  readonly onStateChange?: (state: DeviceState) => void;
  /** Opcodes the Get reply lists. Default: the eleven of a v3.1 ROM (Write Memory included). */
  readonly advertisedCommands?: readonly number[];
  /**
   * For host tests: Get ID answers this product ID even though it is not one of the family's (a
   * part the host must refuse). Overrides `productId`; the memory is still the family's.
   */
  readonly unlistedProductId?: number;
  /** Programmable hooks for host tests: stage faults and observers (the simulator app sets none). */
  readonly hooks?: DeviceHooks;
  /** Readout protection at start (a saved state's wins). Default 'none'. */
  readonly readoutProtection?: ReadoutProtectionLevel;
  /**
   * Model BOOT0 and NRST (see {@link BootPinsOptions}): the bootloader answers only after a reset
   * with BOOT0 high. Without it the chip is always in its bootloader (the behaviour tests rely on).
   */
  readonly bootPins?: BootPinsOptions;
}

/** Bytes the device transmits in answer to the received byte at `afterByteIndex`. */
export interface DeviceReply {
  readonly afterByteIndex: number;
  readonly bytes: Uint8Array;
  /** Payload bytes programmed before this reply (the timing model adds programming time). */
  readonly programmedBytes: number;
}

/**
 * Where the device is in its life: waiting for 0x7F, answering commands, mute, without power,
 * running its application (after Go, or a reset with BOOT0 low), or held in reset (NRST low).
 */
export type DeviceStatus = 'awaiting-sync' | 'ready' | 'silent' | 'off' | 'application' | 'in-reset';

/**
 * One simulated STM32 ROM bootloader with its OTP, as a pure bytes-in → bytes-out core (no I/O,
 * no clock). Faithful to AN3155 and docs/hardware.md (§link to §lock-rules); see docs/simulator.md for what it models.
 * `receive` never throws: malformed input gets NACK or silence, as on a real chip.
 */
export class SimulatedDevice {
  readonly family: ChipFamily;
  readonly productId: number;
  private readonly memory: OtpMemory;
  private readonly session: BootloaderSession;
  private readonly faults: FaultInjector;
  private readonly protection: ReadoutProtection;
  private powered = true;
  private epochCount = 0;
  private mode: RunMode = 'bootloader';
  private pins: BootPinLevels = { boot0High: true, resetAsserted: false };
  /** Application output not yet taken by the link (see `takeOutput`). */
  private pendingOutput: Uint8Array[] = [];

  /** @throws SimulatorError SIM_INVALID_OPTIONS, SIM_STATE_MISMATCH */
  constructor(private readonly options: SimulatedDeviceOptions) {
    const profile = getProfile(options.family);
    const traits = familyTraits(options.family);
    this.family = options.family;
    const content = initialContent(profile, options);
    this.productId = resolveProductId(profile, traits, options);
    this.memory = new OtpMemory(profile, traits, content);
    this.faults = new FaultInjector(parseFaults(options.faults ?? {}));
    const lockedWriteAck = options.lockedWriteAck ?? true;
    const advertisedCommands = options.advertisedCommands ?? ADVERTISED_COMMANDS;
    const hooks = options.hooks ?? {};
    this.protection = new ReadoutProtection(options.state?.readoutProtection ?? options.readoutProtection);
    const protection = this.protection;
    this.session = new BootloaderSession(
      { profile, traits, productId: this.productId, lockedWriteAck, advertisedCommands, hooks, protection },
      this.memory,
      this.faults,
    );
    if (options.bootPins !== undefined) {
      const { boot0High = false, resetAsserted = false } = options.bootPins;
      this.pins = { boot0High, resetAsserted };
      if (resetAsserted) this.mode = 'in-reset';
      else if (!boot0High) this.startApplication();
    }
  }

  /** Whether BOOT0 and NRST are modelled (`bootPins` option). */
  get modelsBootPins(): boolean {
    return this.options.bootPins !== undefined;
  }

  /** What the chip runs now. */
  get runMode(): RunMode {
    return this.mode;
  }

  /** The boot pin levels last set. */
  get bootPinLevels(): BootPinLevels {
    return this.pins;
  }

  /**
   * Drives BOOT0 and NRST (with `bootPins` only; otherwise ignored). Asserting NRST stops whatever
   * runs; releasing it samples BOOT0: high → the ROM bootloader, waiting for 0x7F (AN2606);
   * low → the application (its banner, if any, is queued for `takeOutput`).
   */
  setBootPins(levels: BootPinLevels): void {
    if (!this.modelsBootPins) return;
    const wasInReset = this.pins.resetAsserted;
    this.pins = levels;
    if (levels.resetAsserted) {
      if (this.mode !== 'in-reset') this.enterReset();
      return;
    }
    if (wasInReset) this.leaveReset();
  }

  /** Bytes the chip transmitted on its own (an application banner) since the last call. */
  takeOutput(): Uint8Array {
    const output = Buffer.concat(this.pendingOutput);
    this.pendingOutput = [];
    return output;
  }

  /**
   * Feeds bytes received from the host, in order, and returns what the device transmits. Bytes
   * are ignored while the device is off or silent.
   */
  receive(bytes: Uint8Array): DeviceReply[] {
    const replies: DeviceReply[] = [];
    bytes.forEach((byte, afterByteIndex) => {
      if (this.mode !== 'bootloader') return; // the application and a chip in reset ignore the ROM protocol
      if (this.status === 'off' || this.status === 'silent' || this.faults.dropReceivedByte()) return;
      for (const event of this.session.receive(byte)) this.apply(event, afterByteIndex, replies);
    });
    return replies;
  }

  /** Reset with power removed and restored: unsynchronised, OTP kept, silence and power loss over. */
  powerCycle(): void {
    this.powered = true;
    this.faults.endSilence();
    this.session.reset();
    this.epochCount++;
    this.mode = 'bootloader';
    if (this.modelsBootPins) {
      if (this.pins.resetAsserted) this.mode = 'in-reset';
      else if (!this.pins.boot0High) this.startApplication();
    }
  }

  private enterReset(): void {
    this.mode = 'in-reset';
    this.pendingOutput = []; // what the application had not sent yet is never sent
    this.session.reset();
    this.faults.endSilence();
    this.epochCount++; // output queued before the reset is never sent
  }

  private leaveReset(): void {
    this.epochCount++;
    if (this.pins.boot0High) this.mode = 'bootloader';
    else this.startApplication();
  }

  private startApplication(): void {
    this.mode = 'application';
    const banner = this.options.bootPins?.banner;
    if (banner !== undefined) this.pendingOutput.push(Buffer.from(banner, 'latin1'));
  }

  /** Ends a silence or a stage hook's hang without a reset: the session goes on where it was. */
  resume(): void {
    this.faults.endSilence();
  }

  /**
   * Sets OTP data or lock bytes directly (no OTP rule, no damage recorded, no state saved), as an
   * earlier production step would have left the chip. For tests that start from a used chip.
   */
  preload(area: 'data' | 'lock', offsetBytes: number, bytes: ArrayLike<number>): void {
    this.memory.preload(area, offsetBytes, bytes);
  }

  /** Readout protection now (the Readout Protect command raises it to 'level-1'). */
  get readoutProtection(): ReadoutProtectionLevel {
    return this.protection.level;
  }

  /**
   * Sets readout protection directly, as option bytes programmed elsewhere would have left the
   * chip (saved like a write). Takes effect at once: a test then power-cycles or reconnects.
   */
  setReadoutProtection(level: ReadoutProtectionLevel): void {
    this.protection.set(level);
    this.options.onStateChange?.(this.exportState());
  }

  /**
   * Arms a new fault plan, replacing the old one (a running silence ends too); counters start now.
   * @throws SimulatorError SIM_INVALID_OPTIONS
   */
  setFaults(plan: FaultPlan): void {
    this.faults.arm(parseFaults(plan));
  }

  /** Faults still armed (fired ones are gone). */
  armedFaults(): FaultPlan {
    return this.faults.armed();
  }

  /** Waiting for 0x7F, answering, mute (silent fault) or without power (power-loss fault). */
  get status(): DeviceStatus {
    if (!this.powered) return 'off';
    if (this.mode === 'in-reset') return 'in-reset';
    if (this.mode === 'application') return 'application';
    if (this.faults.isSilenced) return 'silent';
    return this.session.isSynchronised ? 'ready' : 'awaiting-sync';
  }

  /** Changes at every power loss and power cycle: output queued under an older epoch must be dropped. */
  get epoch(): number {
    return this.epochCount;
  }

  get uidHex(): string {
    return bytesToHex(this.memory.uidBytes());
  }

  /** Copies of the OTP data and lock bytes. */
  otp(): OtpState {
    return this.memory.snapshot();
  }

  /** Every recorded OTP rule violation (re-programmed bytes, closed L4 double-words, bad lock values). */
  damagedBytes(): readonly DamagedByte[] {
    return this.memory.damagedBytes();
  }

  /** What a state file holds for this chip. */
  exportState(): DeviceState {
    const { data, lockBytes } = this.memory.snapshot();
    return {
      formatVersion: 1,
      family: this.family,
      productId: this.productId,
      uidHex: this.uidHex,
      dataHex: bytesToHex(data),
      lockBytesHex: bytesToHex(lockBytes),
      damaged: this.memory.damagedBytes(),
      programCounts: this.memory.programCounts.toState(),
      ...(this.protection.level === 'none' ? {} : { readoutProtection: this.protection.level }),
    };
  }

  private apply(event: SessionEvent, afterByteIndex: number, replies: DeviceReply[]): void {
    switch (event.kind) {
      case 'reply': {
        const bytes = event.bytes.map((byte) => this.faults.transmitByte(byte));
        replies.push({ afterByteIndex, bytes, programmedBytes: event.programmedBytes });
        return;
      }
      case 'written':
        this.options.onStateChange?.(this.exportState());
        return;
      case 'power-lost':
        this.powered = false;
        this.epochCount++;
        return;
      case 'go':
        this.startApplication();
        return;
    }
  }
}

function parseFaults(plan: FaultPlan): FaultPlan {
  const parsed = faultPlanSchema.safeParse(plan);
  if (!parsed.success) {
    throw new SimulatorError('SIM_INVALID_OPTIONS', `invalid fault plan: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

function resolveProductId(profile: DeviceProfile, traits: FamilyTraits, options: SimulatedDeviceOptions): number {
  if (options.unlistedProductId !== undefined) return options.unlistedProductId;
  const productId = options.state?.productId ?? options.productId ?? traits.defaultProductId;
  if (!profile.productIds.includes(productId)) {
    const hex = `0x${productId.toString(16)}`;
    throw new SimulatorError('SIM_INVALID_OPTIONS', `productId ${hex} is not a ${profile.displayName} product ID`);
  }
  return productId;
}

function initialContent(profile: DeviceProfile, options: SimulatedDeviceOptions): OtpMemoryContent {
  if (options.state !== undefined) return contentFromState(profile, options.state, options.uid);
  const uid = options.uid ?? Uint8Array.from(randomBytes(profile.uidLengthBytes));
  if (uid.length !== profile.uidLengthBytes) {
    throw new SimulatorError('SIM_INVALID_OPTIONS', `uid must be ${profile.uidLengthBytes} bytes, got ${uid.length}`);
  }
  return { uid };
}

function contentFromState(profile: DeviceProfile, state: DeviceState, uid: Uint8Array | undefined): OtpMemoryContent {
  const mismatch = (what: string) => new SimulatorError('SIM_STATE_MISMATCH', `saved chip: ${what}`);
  if (state.family !== profile.family) throw mismatch(`family is ${state.family}, expected ${profile.family}`);
  if (uid !== undefined && bytesToHex(uid) !== state.uidHex)
    throw mismatch(`UID ${state.uidHex} differs from the given UID`);
  const content = {
    uid: stateHexToBytes(state.uidHex),
    data: stateHexToBytes(state.dataHex),
    lockBytes: stateHexToBytes(state.lockBytesHex),
    damaged: state.damaged,
    programCounts: state.programCounts,
  };
  if (content.uid.length !== profile.uidLengthBytes) throw mismatch(`UID is ${content.uid.length} bytes`);
  if (content.data.length !== otpSizeBytes(profile)) throw mismatch(`OTP data is ${content.data.length} bytes`);
  if (content.lockBytes.length !== lockByteCount(profile)) throw mismatch(`${content.lockBytes.length} lock bytes`);
  return content;
}
