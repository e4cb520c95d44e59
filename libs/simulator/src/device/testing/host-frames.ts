// Host-side AN3155 frames written out by hand from the application note (docs/hardware.md §framing),
// independent of the device code and of libs/otp's constants on purpose: a wrong shared constant
// would otherwise pass its own tests. Used by the device's unit specs.
import { type SimulatedDevice } from '../simulated-device.js';

export const ACK = 0x79;
export const NACK = 0x1f;
export const BUSY = 0x76;
/** STM32F4 OTP data area and lock bytes (docs/hardware.md §otp-f2-f4). */
export const F4_OTP = 0x1fff_7800;
export const F4_LOCK = 0x1fff_7a00;

/** A command byte and its complement. */
export const cmd = (opcode: number): number[] => [opcode, opcode ^ 0xff];
/** A 4-byte big-endian address and its XOR checksum. */
export const addr = (a: number): number[] => {
  const b = [(a >>> 24) & 0xff, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff];
  return [...b, b[0]! ^ b[1]! ^ b[2]! ^ b[3]!];
};
/** A Read Memory length byte (N - 1) and its complement. */
export const len = (n: number): number[] => [n - 1, (n - 1) ^ 0xff];
/** A Write Memory data frame: N - 1, the bytes, the XOR of all of them. */
export const dataFrame = (data: number[]): number[] => [
  data.length - 1,
  ...data,
  data.reduce((x, b) => x ^ b, data.length - 1),
];

/** Sends bytes, returns everything the device answered, concatenated. */
export function talk(device: SimulatedDevice, ...frames: number[][]): number[] {
  return device.receive(Uint8Array.from(frames.flat())).flatMap((reply) => [...reply.bytes]);
}
