import { type DeviceProfile, WRITE_LENGTH_MULTIPLE_BYTES, xorChecksum } from '#ingrain/otp';
import { MAX_VOLTAGE_RANGE, VOLTAGE_RANGE_ADDRESS, type FamilyTraits } from './family-traits.js';
import { type OtpMemory } from './otp-memory.js';
import { decodeAddress } from './protocol.js';

/** Where an accepted Write Memory address points. */
export type WriteTarget = { readonly kind: 'memory'; readonly address: number } | { readonly kind: 'voltage-range' };

/**
 * Write Memory address stage (AN3155 §3.6): checksum, then the address must start in OTP data or
 * lock bytes with the family's alignment, or be the virtual voltage-range byte (F2/F4/F7).
 * Undefined means NACK.
 */
export function acceptWriteAddress(
  memory: OtpMemory,
  profile: DeviceProfile,
  traits: FamilyTraits,
  frame: Uint8Array,
): WriteTarget | undefined {
  if (xorChecksum(frame.subarray(0, 4)) !== frame[4]) return undefined;
  const address = decodeAddress(frame);
  if (address === VOLTAGE_RANGE_ADDRESS && traits.hasVoltageRangeByte) return { kind: 'voltage-range' };
  if (address % profile.writeAlignmentBytes !== 0) return undefined;
  return memory.map.locate(address)?.region.writable === true ? { kind: 'memory', address } : undefined;
}

/** A Write Memory data frame split into its parts. */
export interface WritePayload {
  readonly data: Uint8Array;
  /** False for a bad checksum or a length that is not a multiple of 4. */
  readonly wellFormed: boolean;
}

/**
 * Write Memory data stage (AN3155 §3.6): `frame` is the N + 1 data bytes and the checksum
 * (N ^ d0 ^ … ^ dN); N + 1 must be a multiple of 4.
 */
export function parseWritePayload(lengthByte: number, frame: Uint8Array): WritePayload {
  const data = frame.subarray(0, lengthByte + 1);
  const checksumOk = (lengthByte ^ xorChecksum(data)) === frame[lengthByte + 1];
  return { data, wellFormed: checksumOk && data.length % WRITE_LENGTH_MULTIPLE_BYTES === 0 };
}

/**
 * The virtual voltage-range byte (docs/hardware.md §voltage-range): the first byte selects 0x00–0x04, other values are
 * refused; the simulator accepts exactly one 4-byte word and keeps 0xFFFF0001..3 at 0xFF.
 */
export function acceptVoltageRange(data: Uint8Array): boolean {
  return data.length === WRITE_LENGTH_MULTIPLE_BYTES && (data[0] ?? 0xff) <= MAX_VOLTAGE_RANGE;
}
