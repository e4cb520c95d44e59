// Public API of the device simulator, for integration tests, benchmarks and the CLI.
export { SimulatorError, type SimulatorErrorCode } from './errors.js';
export { startSimulator, type Simulator, type SimulatedDeviceHandle } from './simulator.js';
export { type SimulatorOptions } from './simulator-options.js';
export { type SimulatorFeeder } from './feeder/simulator-feeder.js';
export { type ReleasedChip, type ReleaseResult } from './feeder/feeder.js';
export { type ReleaseRequest } from './feeder/release-request.js';
export {
  SimulatedDevice,
  type SimulatedDeviceOptions,
  type DeviceReply,
  type DeviceStatus,
} from './device/simulated-device.js';
export { type DamagedByte, type DamageReason } from './device/otp-memory.js';
export { type DeviceState } from './device/device-state.js';
export { type FaultPlan } from './faults/fault-plan.js';
export { byteTimeMs, BITS_PER_BYTE_8E1 } from './timing/wire-clock.js';
export { type WireTiming, type WireTimingStats } from './timing/timed-emitter.js';
export { RawBootloaderHost, HostTimeoutError, addressFrame } from './host/raw-bootloader-host.js';
