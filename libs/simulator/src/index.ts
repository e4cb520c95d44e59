// Public API of libs/simulator: the I/O-free model of an STM32 ROM bootloader (AN3155) with its OTP.
// The simulator app puts it behind a pty; libs/otp's tests and the conformance suite drive it in memory.
export { SimulatorError, type SimulatorErrorCode } from './errors.js';
export {
  SimulatedDevice,
  type SimulatedDeviceOptions,
  type DeviceReply,
  type DeviceStatus,
} from './device/simulated-device.js';
export { type DeviceHooks } from './device/bootloader-session.js';
export { type BootPinLevels, type BootPinsOptions, type RunMode } from './device/boot-pins.js';
export { serveOnTransport } from './device/serve-transport.js';
export { type AnswerStage, type StageEvent, type StageFault, type StageHook } from './faults/stage-fault.js';
export { type DamagedByte, type DamageReason } from './device/otp-memory.js';
export { type DeviceState, deviceStateSchema } from './device/device-state.js';
export { familyTraits, type FamilyTraits } from './device/family-traits.js';
export { type FaultPlan, faultPlanSchema } from './faults/fault-plan.js';
export { reprogrammedBytes, type ProgramCountsState, type ReprogrammedByte } from './faults/program-counts.js';
export {
  READOUT_PROTECTION_LEVELS,
  ReadoutProtection,
  type ReadoutProtectionLevel,
} from './device/readout-protection.js';
