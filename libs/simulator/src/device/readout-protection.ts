// Readout protection (RDP) as a chip's ROM bootloader shows it on the wire. Sources: AN3155 §3.4
// and §3.6 (Read Memory and Write Memory answer NACK at the command stage while readout protection
// is active), §3.11 (Readout Protect 0x82: ACK, RDP level 1 set, ACK, system reset); AN2606 (the
// bootloader runs under RDP level 1; under level 2 it is not reachable); RM0090 §3.7.3 (levels).
import { NACK, Opcode } from '#ingrain/otp';

/**
 * `none`: level 0. `level-1`: Get, Get Version and Get ID answer; Read Memory and Write Memory are
 * refused. `bootloader-disabled`: the chip never enters its bootloader (RDP level 2, or boot
 * options that skip system memory): it ignores 0x7F and stays silent, which on the wire looks
 * exactly like an empty fixture.
 */
export type ReadoutProtectionLevel = 'none' | 'level-1' | 'bootloader-disabled';
export const READOUT_PROTECTION_LEVELS = [
  'none',
  'level-1',
  'bootloader-disabled',
] as const satisfies readonly ReadoutProtectionLevel[];

/**
 * Commands refused under RDP level 1: Read Memory, Write Memory (AN3155 §3.4, §3.6) and Readout
 * Protect itself (§3.11 flowchart: "ROP active" → NACK). Go (§3.5) too, but Go is not modelled.
 */
const REFUSED_UNDER_LEVEL_1: readonly number[] = [Opcode.READ_MEMORY, Opcode.WRITE_MEMORY, Opcode.READOUT_PROTECT];

/** The chip's readout protection, shared by the device and its bootloader session. */
export class ReadoutProtection {
  constructor(private current: ReadoutProtectionLevel = 'none') {}

  get level(): ReadoutProtectionLevel {
    return this.current;
  }

  /** Set by the Readout Protect command or by a test; never lowered (no Readout Unprotect model). */
  set(level: ReadoutProtectionLevel): void {
    this.current = level;
  }

  /** True while the chip does not enter its bootloader at all. */
  get bootloaderDisabled(): boolean {
    return this.current === 'bootloader-disabled';
  }

  /** The answer to a well-formed `opcode` that protection refuses (one NACK), or undefined. */
  refusal(opcode: number): Uint8Array | undefined {
    if (this.current !== 'level-1' || !REFUSED_UNDER_LEVEL_1.includes(opcode)) return undefined;
    return Uint8Array.of(NACK);
  }
}
