export { type DeviceIdentity } from './device-io.js';
export * from './errors.js';
export { isReadRefusal, readUnlessProtected } from './protection.js';
export { readDeviceOtp, type DeviceReadout } from './read-device.js';
export {
  cycleResultToJson,
  deviceReadoutToJson,
  type ByteRange,
  type CycleResultJson,
  type DeviceReadoutJson,
  type JsonRenderOptions,
  type PlanConflictJson,
  type VerifyMismatchJson,
} from './result-json.js';
export { runProvisioningCycle } from './run-cycle.js';
export * from './types.js';
