// Byte values of the STM32 USART bootloader protocol, as the device sends and expects them.
// Source: ST AN3155 (USART protocol used in the STM32 bootloader); shared reference §1–§3.

/** Autobaud byte the host sends once after reset (AN3155 §2). */
export const SYNC_BYTE = 0x7f;
/** Acknowledge (AN3155 §2). */
export const ACK = 0x79;
/** Not-acknowledge (AN3155 §2). */
export const NACK = 0x1f;

/** Command opcodes the simulator implements (AN3155 §3, table 2). */
export const Opcode = {
  get: 0x00,
  getVersion: 0x01,
  getId: 0x02,
  readMemory: 0x11,
  writeMemory: 0x31,
} as const;

/** Bootloader protocol version v3.1 (AN3155 §3.1/§3.2; F2/F4/F7/L4 ROMs). */
export const BOOTLOADER_VERSION = 0x31;

/**
 * Opcodes a v3.1 ROM lists in its Get reply (AN3155 §3.1; reference §3): Get, Get Version, Get ID,
 * Read Memory, Go, Write Memory, Extended Erase, Write Protect, Write Unprotect, Readout Protect,
 * Readout Unprotect. The simulator advertises the real list but implements only the first four
 * reads and Write Memory; the others are answered with NACK.
 */
export const ADVERTISED_COMMANDS: readonly number[] = [
  0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x44, 0x63, 0x73, 0x82, 0x92,
];

/** Largest Read/Write Memory payload (AN3155 §3.4/§3.6: N is one byte, N+1 bytes). */
export const MAX_TRANSFER_BYTES = 256;

/** Write Memory payload length granularity: N+1 must be a multiple of 4 (AN3155 §3.6). */
export const WRITE_LENGTH_MULTIPLE_BYTES = 4;

/** XOR of all bytes: the checksum of addresses and data blocks (AN3155 §2). */
export function xorChecksum(bytes: Uint8Array): number {
  let checksum = 0;
  for (const byte of bytes) checksum ^= byte;
  return checksum;
}

/** Big-endian 32-bit address of a 4-byte frame (AN3155 §3.4: MSB first). */
export function decodeAddress(bytes: Uint8Array): number {
  return (bytes[0] ?? 0) * 0x100_0000 + ((bytes[1] ?? 0) << 16) + ((bytes[2] ?? 0) << 8) + (bytes[3] ?? 0);
}
