import { ACK, GET_ID_N } from '#ingrain/otp';
import { ADVERTISED_COMMANDS, BOOTLOADER_VERSION } from './protocol.js';

/** Get: ACK, N (= count − 1), version, supported opcodes, ACK (AN3155 §3.1). */
export function getReply(): Uint8Array {
  return Uint8Array.of(ACK, ADVERTISED_COMMANDS.length, BOOTLOADER_VERSION, ...ADVERTISED_COMMANDS, ACK);
}

/** Get Version: ACK, version, two option bytes (0x00 on USART), ACK (AN3155 §3.2). */
export function getVersionReply(): Uint8Array {
  return Uint8Array.of(ACK, BOOTLOADER_VERSION, 0x00, 0x00, ACK);
}

/** Get ID: ACK, N = 1, PID MSB, PID LSB, ACK (AN3155 §3.3). */
export function getIdReply(productId: number): Uint8Array {
  return Uint8Array.of(ACK, GET_ID_N, (productId >> 8) & 0xff, productId & 0xff, ACK);
}
