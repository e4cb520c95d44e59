import { type DeviceProfile } from './device-profile.js';
import { DOUBLE_WORD_OTP } from './double-word-otp.js';

/**
 * L4-style OTP (docs/hardware.md §otp-l4): 1 KB of 128 double-words, each writable exactly once, no lock bytes.
 * Modelled as 16 "blocks" of 64 bytes so layouts address it like the F-series; `lock` must be empty.
 */
export const STM32L4: DeviceProfile = {
  family: 'stm32l4',
  displayName: 'STM32L4/L4+',
  // L4 (RM0351, RM0394) and L4+ (RM0432: L4R/L4S 0x470, L4P/L4Q 0x471) share this map (docs/hardware.md §otp-l4).
  productIds: [0x415, 0x435, 0x462, 0x464, 0x461, 0x470, 0x471],
  ...DOUBLE_WORD_OTP,
};
