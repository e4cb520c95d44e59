// What only a device needs of the STM32 USART bootloader protocol. The shared byte values (ACK,
// NACK, the sync byte, opcodes, transfer limits, the XOR checksum) come from #ingrain/otp's an3155.ts.

/** Bootloader protocol version v3.1 (AN3155 §3.1/§3.2; F2/F4/F7/L4 ROMs). */
export const BOOTLOADER_VERSION = 0x31;

/**
 * Opcodes a v3.1 ROM lists in its Get reply (AN3155 §3.1; docs/hardware.md §commands): Get, Get
 * Version, Get ID, Read Memory, Go, Write Memory, Extended Erase, Write Protect, Write Unprotect,
 * Readout Protect, Readout Unprotect. The simulator advertises the real list but implements only the
 * first four reads and Write Memory; the others are answered with NACK.
 */
export const ADVERTISED_COMMANDS: readonly number[] = [
  0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x44, 0x63, 0x73, 0x82, 0x92,
];

/** Big-endian 32-bit address of a 4-byte frame (AN3155 §3.4: MSB first). */
export function decodeAddress(bytes: Uint8Array): number {
  return (bytes[0] ?? 0) * 0x100_0000 + ((bytes[1] ?? 0) << 16) + ((bytes[2] ?? 0) << 8) + (bytes[3] ?? 0);
}
