import { type OtpMemory } from './otp-memory.js';
import { ACK, NACK, xorChecksum } from '#ingrain/otp';
import { decodeAddress } from './protocol.js';

/**
 * Read Memory address stage (AN3155 §3.4): the 4 address bytes and their XOR checksum. Returns the
 * address when the checksum is right and the address is mapped, else undefined (answer NACK).
 */
export function acceptReadAddress(memory: OtpMemory, frame: Uint8Array): number | undefined {
  if (xorChecksum(frame.subarray(0, 4)) !== frame[4]) return undefined;
  const address = decodeAddress(frame);
  return memory.map.locate(address) === undefined ? undefined : address;
}

/**
 * Read Memory length stage (AN3155 §3.4): `N, N ^ 0xFF`. Answers ACK and the N + 1 bytes, or a
 * lone NACK for a bad complement or a range that leaves mapped memory (AN3155 is silent on ranges,
 * docs/hardware.md §unconfirmed; the simulator is strict so host bugs show).
 */
export function readMemoryReply(memory: OtpMemory, address: number, frame: Uint8Array): Uint8Array {
  const lengthByte = frame[0] ?? 0;
  if (frame[1] !== (lengthByte ^ 0xff)) return Uint8Array.of(NACK);
  const lengthBytes = lengthByte + 1;
  if (!memory.map.covers(address, lengthBytes, false)) return Uint8Array.of(NACK);
  const reply = new Uint8Array(1 + lengthBytes);
  reply[0] = ACK;
  reply.set(memory.read(address, lengthBytes), 1);
  return reply;
}
