import { type DeviceProfile } from './device-profile.js';

// docs/hardware.md §otp-f2-f4: F2 (PM0059) and F4 (RM0090 §3.8) share one OTP map: 512 data bytes in 16 blocks of
// 32 bytes at 0x1FFF7800, lock bytes at 0x1FFF7A00, UID at 0x1FFF7A10, 4-byte write alignment.
const F2_F4_OTP = {
  otpBaseAddress: 0x1fff_7800,
  blockCount: 16,
  blockSizeBytes: 32,
  lockBaseAddress: 0x1fff_7a00,
  uidAddress: 0x1fff_7a10,
  uidLengthBytes: 12,
  writeAlignmentBytes: 4,
  writeOnceUnitBytes: 1,
} as const;

export const STM32F2: DeviceProfile = {
  family: 'stm32f2',
  displayName: 'STM32F2',
  productIds: [0x411],
  ...F2_F4_OTP,
};

export const STM32F4: DeviceProfile = {
  family: 'stm32f4',
  displayName: 'STM32F4',
  // F405/407/415/417 0x413, F42x/43x 0x419, F401xB/C 0x423, F401xD/E 0x433, F410 0x458,
  // F411 0x431, F412 0x441, F413 0x463, F446 0x421, F469/479 0x434 (docs/hardware.md §chip-ids, AN2606).
  productIds: [0x413, 0x419, 0x423, 0x433, 0x458, 0x431, 0x441, 0x463, 0x421, 0x434],
  ...F2_F4_OTP,
};
