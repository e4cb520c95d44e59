import { type FaultPlan } from './fault-plan.js';

/** What the device does with a complete command frame. */
export type CommandVerdict = 'execute' | 'nack' | 'silent';

interface FaultCounters {
  receivedBytes: number;
  transmittedBytes: number;
  commands: number;
  programmedBytes: number;
}

/**
 * Decides, byte by byte and command by command, where an armed {@link FaultPlan} fires. Pure
 * counting, no I/O. Each fault fires once and is then disarmed; silence lasts until `endSilence()`.
 */
export class FaultInjector {
  private plan: FaultPlan = {};
  private counters: FaultCounters = zeroCounters();
  private silenced = false;

  constructor(plan: FaultPlan = {}) {
    this.arm(plan);
  }

  /** Replaces the plan and restarts every counter from zero. */
  arm(plan: FaultPlan): void {
    this.plan = { ...plan };
    this.counters = zeroCounters();
    this.silenced = false;
  }

  /** The faults still armed (fired ones are removed). */
  armed(): FaultPlan {
    return { ...this.plan };
  }

  /** True while a `silentFromCommand` fault holds the device mute. */
  get isSilenced(): boolean {
    return this.silenced;
  }

  /** Mutes the device now, as `silentFromCommand` would (a stage hook's `hang`). */
  silence(): void {
    this.silenced = true;
  }

  /** Ends a silence (power cycle). The rest of the plan stays armed. */
  endSilence(): void {
    this.silenced = false;
  }

  /** Call once per byte received; true means the byte is lost on the wire. */
  dropReceivedByte(): boolean {
    this.counters.receivedBytes++;
    return this.fire('dropReceivedByte', this.counters.receivedBytes);
  }

  /** Call once per byte transmitted; returns the byte as it goes on the wire. */
  transmitByte(byte: number): number {
    this.counters.transmittedBytes++;
    return this.fire('corruptTransmittedByte', this.counters.transmittedBytes) ? byte ^ 0xff : byte;
  }

  /** Call once per complete command frame (opcode + complement). */
  onCommand(): CommandVerdict {
    this.counters.commands++;
    if (this.fire('silentFromCommand', this.counters.commands)) this.silenced = true;
    if (this.silenced) return 'silent';
    return this.fire('nackCommand', this.counters.commands) ? 'nack' : 'execute';
  }

  /** Bits of the OTP data byte at `offsetBytes` that never program (0 for a healthy cell). */
  weakBitsAt(offsetBytes: number): number {
    let mask = 0;
    for (const cell of this.plan.weakDataBits ?? []) if (cell.offsetBytes === offsetBytes) mask |= cell.mask;
    return mask;
  }

  /** Bits of the lock byte at `offsetBytes` that never program (0 for a healthy cell). */
  weakLockBitsAt(offsetBytes: number): number {
    let mask = 0;
    for (const cell of this.plan.weakLockBits ?? []) if (cell.offsetBytes === offsetBytes) mask |= cell.mask;
    return mask;
  }

  /** How many more payload bytes the ROM may program before power fails (Infinity when unarmed). */
  programBudgetBytes(): number {
    const limit = this.plan.powerLossAfterBytes;
    return limit === undefined ? Number.POSITIVE_INFINITY : Math.max(0, limit - this.counters.programmedBytes);
  }

  /** Records programmed payload bytes; returns true when this write hit the power loss (it fires). */
  recordProgrammed(processedBytes: number, payloadBytes: number): boolean {
    this.counters.programmedBytes += processedBytes;
    if (processedBytes >= payloadBytes || this.plan.powerLossAfterBytes === undefined) return false;
    return this.fire('powerLossAfterBytes', this.plan.powerLossAfterBytes);
  }

  private fire(key: keyof FaultPlan, counter: number): boolean {
    if (this.plan[key] !== counter) return false;
    const { [key]: _fired, ...rest } = this.plan;
    this.plan = rest;
    return true;
  }
}

function zeroCounters(): FaultCounters {
  return { receivedBytes: 0, transmittedBytes: 0, commands: 0, programmedBytes: 0 };
}
