export {
  ACK,
  FLASH_BASE_ADDRESS,
  BITS_PER_BYTE_8E1,
  BUSY,
  GET_ID_N,
  MAX_ADDRESS,
  MAX_TRANSFER_BYTES,
  NACK,
  Opcode,
  RESYNC_BYTE,
  SYNC_BYTE,
  WRITE_LENGTH_MULTIPLE_BYTES,
} from './an3155.js';
export {
  BootloaderClient,
  type BootloaderClientOptions,
  type ClientSyncState,
  type ConnectOptions,
  type WriteMemoryOptions,
} from './client.js';
export { type BootloaderInfo } from './commands/get.js';
export { type BootloaderVersionInfo } from './commands/get-version.js';
export * from './errors.js';
export { encodeAddress, encodeCommand, encodeReadLength, encodeWriteData, xorChecksum } from './frames.js';
export { type WireStats } from './link.js';
export { type SyncMode } from './sync.js';
export { type BootloaderTimingOptions } from './timing.js';
