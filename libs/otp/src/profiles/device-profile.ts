/**
 * Chip families by OTP map (docs/hardware.md §otp-map): `stm32f7` is F74x–F77x and `stm32f72x` is
 * F72x/F73x (another map); `stm32l4` covers L4 and L4+ (one map); G0, G4, WB and WL program their OTP in
 * 64-bit double-words like L4.
 */
export const CHIP_FAMILIES = [
  'stm32f2',
  'stm32f4',
  'stm32f7',
  'stm32f72x',
  'stm32l4',
  'stm32g0',
  'stm32g4',
  'stm32wb',
  'stm32wl',
] as const;
export type ChipFamily = (typeof CHIP_FAMILIES)[number];

/**
 * Where a family keeps its OTP and how it may be written. Pure data, reviewed like code: every
 * number cites docs/hardware.md §otp-map and §chip-ids (from RM0090, PM0059, RM0385, RM0351, AN2606).
 */
export interface DeviceProfile {
  readonly family: ChipFamily;
  readonly displayName: string;
  /** Product IDs answered by Get ID (AN3155 §3.3, AN2606) that belong to this family. */
  readonly productIds: readonly number[];
  /** Address of OTP data byte 0. */
  readonly otpBaseAddress: number;
  readonly blockCount: number;
  readonly blockSizeBytes: number;
  /** Address of lock byte 0 (one byte per block), or null when the family has no lock bytes. */
  readonly lockBaseAddress: number | null;
  /** Address of the 96-bit unique device ID. */
  readonly uidAddress: number;
  readonly uidLengthBytes: number;
  /** Write Memory address and length alignment (AN3155 §3.6; 4 on F2/F4, 8 on F7 and the double-word families). */
  readonly writeAlignmentBytes: number;
  /**
   * Smallest unit that can be programmed exactly once. 1 on F2/F4/F7 (each byte is programmed at
   * most once; 0xFF padding clears no bits). 8 on L4/L4+/G0/G4/WB/WL: a double-word is programmed once,
   * whole, and a double-word with any 0 bit is closed (the planner writes it in one chunk or not at all).
   */
  readonly writeOnceUnitBytes: number;
}

/** Total OTP data bytes of a profile (all blocks). */
export function otpSizeBytes(profile: DeviceProfile): number {
  return profile.blockCount * profile.blockSizeBytes;
}

/**
 * Number of lock bytes of a profile (0 when it has none). A family without lock bytes has no "lock"
 * at all: layouts and images for it that ask for a lock are refused (docs/layouts.md §locking).
 */
export function lockByteCount(profile: DeviceProfile): number {
  return profile.lockBaseAddress === null ? 0 : profile.blockCount;
}
