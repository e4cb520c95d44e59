import { MAX_TRANSFER_BYTES } from './an3155.js';

// Frame encoders (AN3155 §2–§3, docs/hardware.md §framing). Pure functions; callers validate ranges first.

/** XOR of every byte: the checksum of address and data frames (AN3155 §3.4, §3.6). */
export function xorChecksum(bytes: Iterable<number>, seed = 0): number {
  let checksum = seed;
  for (const byte of bytes) checksum ^= byte;
  return checksum & 0xff;
}

/** A command: opcode then its complement, e.g. Get ID → `02 FD`. */
export function encodeCommand(opcode: number): Uint8Array {
  return Uint8Array.of(opcode, opcode ^ 0xff);
}

/** A 32-bit address, MSB first, then the XOR of its four bytes. */
export function encodeAddress(address: number): Uint8Array {
  const frame = new Uint8Array(5);
  new DataView(frame.buffer).setUint32(0, address, false);
  frame[4] = xorChecksum(frame.subarray(0, 4));
  return frame;
}

/** Read Memory length: N = lengthBytes − 1, then N's complement. */
export function encodeReadLength(lengthBytes: number): Uint8Array {
  const n = lengthBytes - 1;
  return Uint8Array.of(n, n ^ 0xff);
}

/** Write Memory data block: N = length − 1, the bytes, then N XOR every byte. */
export function encodeWriteData(bytes: Uint8Array): Uint8Array {
  const n = bytes.length - 1;
  const frame = new Uint8Array(bytes.length + 2);
  frame[0] = n;
  frame.set(bytes, 1);
  frame[frame.length - 1] = xorChecksum(bytes, n);
  return frame;
}

/** Splits [address, address + lengthBytes) into consecutive pieces of at most 256 bytes. */
export function splitTransfers(address: number, lengthBytes: number): { address: number; lengthBytes: number }[] {
  const pieces: { address: number; lengthBytes: number }[] = [];
  for (let offset = 0; offset < lengthBytes; offset += MAX_TRANSFER_BYTES) {
    pieces.push({ address: address + offset, lengthBytes: Math.min(MAX_TRANSFER_BYTES, lengthBytes - offset) });
  }
  return pieces;
}
