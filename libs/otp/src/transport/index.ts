export * from './device-transport.js';
export * from './errors.js';
export { MemoryTransport, createMemoryLink } from './memory-transport.js';
export { SerialTransport, type SerialTransportOptions } from './serial-transport.js';
