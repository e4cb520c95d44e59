import { type ChipFamily, type DeviceProfile } from './device-profile.js';
import { STM32F2, STM32F4 } from './stm32f2f4.js';
import { STM32F7 } from './stm32f7.js';
import { STM32F72X } from './stm32f72x.js';
import { STM32L4 } from './stm32l4.js';
import { STM32G0, STM32G4, STM32WB, STM32WL } from './double-word-otp.js';

export * from './device-profile.js';
export { STM32F2, STM32F4, STM32F7, STM32F72X, STM32L4, STM32G0, STM32G4, STM32WB, STM32WL };

const PROFILES: Readonly<Record<ChipFamily, DeviceProfile>> = {
  stm32f2: STM32F2,
  stm32f4: STM32F4,
  stm32f7: STM32F7,
  stm32f72x: STM32F72X,
  stm32l4: STM32L4,
  stm32g0: STM32G0,
  stm32g4: STM32G4,
  stm32wb: STM32WB,
  stm32wl: STM32WL,
};

/** The profile of a family. */
export function getProfile(family: ChipFamily): DeviceProfile {
  return PROFILES[family];
}

/** The profile whose Get ID product IDs include `productId`, or undefined for an unknown chip. */
export function findProfileByProductId(productId: number): DeviceProfile | undefined {
  return Object.values(PROFILES).find((p) => p.productIds.includes(productId));
}
