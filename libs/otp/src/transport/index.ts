export * from './device-transport.js';
export * from './errors.js';
export { MemoryTransport, createMemoryLink } from './memory-transport.js';
export { type ModemLines, SerialTransport, type SerialTransportOptions } from './serial-transport.js';
export { isPseudoTerminal, type LineSettings } from './line-settings.js';
export {
  diagnosePortOpenFailure,
  findPortHolders,
  PORT_OPEN_REMEDY,
  PortOpenError,
  type PortHolder,
  type PortOpenReason,
} from './port-open-error.js';
export { LOW_LATENCY_TIMER_MS, type LowLatencyOutcome, requestLowLatency } from './low-latency.js';
