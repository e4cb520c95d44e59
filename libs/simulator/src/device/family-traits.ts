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

// docs/hardware.md §uid (flash-size register: RM0090 §39.2, RM0385 §45.2, RM0351 §48.2) and the brief's
// default product IDs: F405/407 0x413, F76x/77x 0x451, F2 0x411, L43x/44x 0x435.
const TRAITS: Readonly<Record<ChipFamily, FamilyTraits>> = {
  stm32f2: { defaultProductId: 0x411, flashSizeAddress: 0x1fff_7a22, flashSizeKb: 1024, hasVoltageRangeByte: true },
  stm32f4: { defaultProductId: 0x413, flashSizeAddress: 0x1fff_7a22, flashSizeKb: 1024, hasVoltageRangeByte: true },
  stm32f7: { defaultProductId: 0x451, flashSizeAddress: 0x1ff0_f442, flashSizeKb: 2048, hasVoltageRangeByte: true },
  stm32l4: { defaultProductId: 0x435, flashSizeAddress: 0x1fff_75e0, flashSizeKb: 256, hasVoltageRangeByte: false },
};

/** Simulator-side facts of a family (see {@link FamilyTraits}). */
export function familyTraits(family: ChipFamily): FamilyTraits {
  return TRAITS[family];
}

/** Address of the virtual voltage-range / parallelism byte of F2/F4/F7 ROMs (docs/hardware.md §voltage-range). */
export const VOLTAGE_RANGE_ADDRESS = 0xffff_0000;
/** Largest legal voltage-range value: 0x00–0x03 voltage ranges, 0x04 x64 with VPP (docs/hardware.md §voltage-range). */
export const MAX_VOLTAGE_RANGE = 0x04;
