export * from './device-transport.js';
export * from './errors.js';
export { MemoryTransport, createMemoryLink } from './memory-transport.js';
export { type ModemLines, SerialTransport, type SerialTransportOptions } from './serial-transport.js';
export { isPseudoTerminal, type LineSettings } from './line-settings.js';
