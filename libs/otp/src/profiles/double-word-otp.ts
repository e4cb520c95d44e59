import { type DeviceProfile } from './device-profile.js';

/**
 * The OTP of the families programmed in 64-bit double-words (docs/hardware.md §otp-double-word): 1 KB at
 * 0x1FFF7000 as 128 double-words, each written once and whole (a single 0 bit closes it for good, even
 * for 0x0000000000000000), no lock bytes. UID at 0x1FFF7590. Modelled as 16 "blocks" of 64 bytes so
 * layouts address it like the F-series; a layout or image for these families cannot lock.
 * The L4/L4+ profile (stm32l4.ts) takes the same map. RM0351/RM0394 (L4), RM0432 (L4+), RM0444/RM0454 (G0), RM0440 (G4), RM0434 (WB),
 * RM0453 (WL).
 */
export const DOUBLE_WORD_OTP = {
  otpBaseAddress: 0x1fff_7000,
  blockCount: 16,
  blockSizeBytes: 64,
  lockBaseAddress: null,
  uidAddress: 0x1fff_7590,
  uidLengthBytes: 12,
  writeAlignmentBytes: 8,
  writeOnceUnitBytes: 8,
} as const;

/** G07x/G08x 0x460, G03x/G04x 0x466, G05x/G06x 0x456, G0B0/G0B1/G0C1 0x467 (AN2606, docs/hardware.md §chip-ids). */
export const STM32G0: DeviceProfile = {
  family: 'stm32g0',
  displayName: 'STM32G0',
  productIds: [0x460, 0x466, 0x456, 0x467],
  ...DOUBLE_WORD_OTP,
};

/** G431/G441 0x468, G47x/G48x 0x469, G491/G4A1 0x479 (AN2606, docs/hardware.md §chip-ids). */
export const STM32G4: DeviceProfile = {
  family: 'stm32g4',
  displayName: 'STM32G4',
  productIds: [0x468, 0x469, 0x479],
  ...DOUBLE_WORD_OTP,
};

/**
 * WB55/WB35 and the other WB5x/WB3x parts, 0x495 (AN2606, docs/hardware.md §chip-ids). WB1x is left out
 * until its PID is confirmed from a primary source (an unknown PID is refused as a wrong device).
 */
export const STM32WB: DeviceProfile = {
  family: 'stm32wb',
  displayName: 'STM32WB',
  productIds: [0x495],
  ...DOUBLE_WORD_OTP,
};

/** WLE5/WLE4/WL55/WL54 0x497 (AN2606, docs/hardware.md §chip-ids). */
export const STM32WL: DeviceProfile = {
  family: 'stm32wl',
  displayName: 'STM32WL',
  productIds: [0x497],
  ...DOUBLE_WORD_OTP,
};
