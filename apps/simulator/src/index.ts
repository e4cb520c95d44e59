// Public API of the device simulator, for integration tests, benchmarks and the CLI.
export { startSimulator, type Simulator, type SimulatedDeviceHandle } from './simulator.js';
export { type SimulatorOptions } from './simulator-options.js';
export { type SimulatorFeeder } from './feeder/simulator-feeder.js';
export { type ReleasedChip, type ReleaseResult } from './feeder/feeder.js';
export { type ReleaseRequest } from './feeder/release-request.js';
// The device core lives in libs/simulator; re-exported here so the app's callers need one import.
export {
  SimulatorError,
  type SimulatorErrorCode,
  SimulatedDevice,
  type SimulatedDeviceOptions,
  type DeviceReply,
  type DeviceStatus,
  type DamagedByte,
  type DamageReason,
  type DeviceState,
  type FaultPlan,
} from '#ingrain/simulator';
export { byteTimeMs, BITS_PER_BYTE_8E1 } from './timing/wire-clock.js';
export { type WireTiming, type WireTimingStats } from './timing/timed-emitter.js';
export { RawBootloaderHost, HostTimeoutError, addressFrame } from './host/raw-bootloader-host.js';
