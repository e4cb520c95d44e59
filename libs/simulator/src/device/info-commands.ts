import { ACK, GET_ID_N } from '#ingrain/otp';
import { BOOTLOADER_VERSION } from './protocol.js';

// The replies below are what follows the command's first ACK (the session sends that ACK).

/** Get: N (bytes that follow − 1: the version and the opcodes), version, opcodes, ACK (AN3155 §3.1). */
export function getReply(commands: readonly number[]): Uint8Array {
  return Uint8Array.of(commands.length, BOOTLOADER_VERSION, ...commands, ACK);
}

/** Get Version: version, two option bytes (0x00 on USART), ACK (AN3155 §3.2). */
export function getVersionReply(): Uint8Array {
  return Uint8Array.of(BOOTLOADER_VERSION, 0x00, 0x00, ACK);
}

/** Get ID: N = 1, PID MSB, PID LSB, ACK (AN3155 §3.3). */
export function getIdReply(productId: number): Uint8Array {
  return Uint8Array.of(GET_ID_N, (productId >> 8) & 0xff, productId & 0xff, ACK);
}
