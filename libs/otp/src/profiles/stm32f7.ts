import { type DeviceProfile } from './device-profile.js';

/** F74x/75x (0x449) and F76x/77x (0x451), RM0385/RM0410: 16 blocks of 64 bytes, 8-byte alignment. */
export const STM32F7: DeviceProfile = {
  family: 'stm32f7',
  displayName: 'STM32F74x-F77x',
  productIds: [0x449, 0x451],
  otpBaseAddress: 0x1ff0_f000,
  blockCount: 16,
  blockSizeBytes: 64,
  lockBaseAddress: 0x1ff0_f400,
  uidAddress: 0x1ff0_f420,
  uidLengthBytes: 12,
  writeAlignmentBytes: 8,
  writeOnceUnitBytes: 1,
};
