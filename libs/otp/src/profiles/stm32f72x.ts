import { type DeviceProfile } from './device-profile.js';

/**
 * F72x/F73x (PID 0x452), RM0431 embedded flash chapter, OTP section (docs/hardware.md §otp-f72x): another
 * OTP map than F74x–F77x. 528 bytes at 0x1FF07800: 16 blocks of 32 bytes, then 16 lock bytes at 0x1FF07A00;
 * the UID follows at 0x1FF07A10. Byte programming like every F7; the F7 ROM's 8-byte Write Memory alignment.
 */
export const STM32F72X: DeviceProfile = {
  family: 'stm32f72x',
  displayName: 'STM32F72x/F73x',
  productIds: [0x452],
  otpBaseAddress: 0x1ff0_7800,
  blockCount: 16,
  blockSizeBytes: 32,
  lockBaseAddress: 0x1ff0_7a00,
  uidAddress: 0x1ff0_7a10,
  uidLengthBytes: 12,
  writeAlignmentBytes: 8,
  writeOnceUnitBytes: 1,
};
