import { type ChipFamily } from '#ingrain/otp';

/** What the simulator needs about a family beyond its OTP profile. */
export interface FamilyTraits {
  /** Product ID answered by Get ID unless another of the family's IDs is configured. */
  readonly defaultProductId: number;
  /** Address of the 16-bit flash-size register (value in KB, little-endian in memory). */
  readonly flashSizeAddress: number;
  /** Value of the flash-size register of the simulated part, in KB. */
  readonly flashSizeKb: number;
  /** Whether the ROM accepts the virtual voltage-range byte at 0xFFFF0000 (F2/F4/F7 only). */
  readonly hasVoltageRangeByte: boolean;
}

// docs/hardware.md §uid (flash-size register: RM0090 §39.2, RM0385 §45.2, RM0431, RM0351 §48.2, and the same
// 0x1FFF75E0 on L4+/G0/G4/WB/WL) and the default product IDs: F405/407 0x413, F76x/77x 0x451, F2 0x411,
// F72x/F73x 0x452, L43x/44x 0x435, G07x/G08x 0x460, G431/G441 0x468, WB5x 0x495, WL 0x497.
// Only the F2/F4/F7 ROMs have the virtual voltage-range byte (docs/hardware.md §voltage-range).
const DOUBLE_WORD_FLASH_SIZE_ADDRESS = 0x1fff_75e0;
const TRAITS: Readonly<Record<ChipFamily, FamilyTraits>> = {
  stm32f2: { defaultProductId: 0x411, flashSizeAddress: 0x1fff_7a22, flashSizeKb: 1024, hasVoltageRangeByte: true },
  stm32f4: { defaultProductId: 0x413, flashSizeAddress: 0x1fff_7a22, flashSizeKb: 1024, hasVoltageRangeByte: true },
  stm32f7: { defaultProductId: 0x451, flashSizeAddress: 0x1ff0_f442, flashSizeKb: 2048, hasVoltageRangeByte: true },
  stm32f72x: { defaultProductId: 0x452, flashSizeAddress: 0x1ff0_7a22, flashSizeKb: 512, hasVoltageRangeByte: true },
  stm32l4: {
    defaultProductId: 0x435,
    flashSizeAddress: DOUBLE_WORD_FLASH_SIZE_ADDRESS,
    flashSizeKb: 256,
    hasVoltageRangeByte: false,
  },
  stm32g0: {
    defaultProductId: 0x460,
    flashSizeAddress: DOUBLE_WORD_FLASH_SIZE_ADDRESS,
    flashSizeKb: 128,
    hasVoltageRangeByte: false,
  },
  stm32g4: {
    defaultProductId: 0x468,
    flashSizeAddress: DOUBLE_WORD_FLASH_SIZE_ADDRESS,
    flashSizeKb: 128,
    hasVoltageRangeByte: false,
  },
  stm32wb: {
    defaultProductId: 0x495,
    flashSizeAddress: DOUBLE_WORD_FLASH_SIZE_ADDRESS,
    flashSizeKb: 1024,
    hasVoltageRangeByte: false,
  },
  stm32wl: {
    defaultProductId: 0x497,
    flashSizeAddress: DOUBLE_WORD_FLASH_SIZE_ADDRESS,
    flashSizeKb: 256,
    hasVoltageRangeByte: false,
  },
};

/** Simulator-side facts of a family (see {@link FamilyTraits}). */
export function familyTraits(family: ChipFamily): FamilyTraits {
  return TRAITS[family];
}

/** Address of the virtual voltage-range / parallelism byte of F2/F4/F7 ROMs (docs/hardware.md §voltage-range). */
export const VOLTAGE_RANGE_ADDRESS = 0xffff_0000;
/** Largest legal voltage-range value: 0x00–0x03 voltage ranges, 0x04 x64 with VPP (docs/hardware.md §voltage-range). */
export const MAX_VOLTAGE_RANGE = 0x04;
