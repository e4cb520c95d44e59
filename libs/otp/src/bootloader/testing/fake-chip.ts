// Test fixture (not exported from the library): the OTP memory of one chip with the semantics of
// reference §4, for the client and cycle unit tests. The full simulator lives in apps/simulator.
import { BLANK_BYTE } from '../../image/otp-image.js';
import { type DeviceProfile, lockByteCount, otpSizeBytes } from '../../profiles/index.js';

/** A byte programmed twice (old and new both non-blank): the damage the system must never cause. */
export interface DamagedByte {
  readonly region: 'data' | 'lock';
  readonly offsetBytes: number;
}

/** OTP data, lock bytes and UID of one fake chip. Programming is old AND new; locks are honoured. */
export class FakeOtpChip {
  readonly data: Uint8Array;
  readonly lockBytes: Uint8Array;
  readonly damaged: DamagedByte[] = [];
  /** Data bytes a locked block refused. */
  refusedBytes = 0;

  constructor(
    readonly profile: DeviceProfile,
    readonly uid: Uint8Array = Uint8Array.from({ length: profile.uidLengthBytes }, (_, i) => 0xa0 + i),
  ) {
    this.data = new Uint8Array(otpSizeBytes(profile)).fill(BLANK_BYTE);
    this.lockBytes = new Uint8Array(lockByteCount(profile)).fill(BLANK_BYTE);
  }

  /** The bytes at [address, address + lengthBytes), or undefined if any of them is unmapped. */
  read(address: number, lengthBytes: number): Uint8Array | undefined {
    const out = new Uint8Array(lengthBytes);
    for (let i = 0; i < lengthBytes; i += 1) {
      const value = this.readByte(address + i);
      if (value === undefined) return undefined;
      out[i] = value;
    }
    return out;
  }

  /** True when every byte of the range is OTP data or lock bytes and the address is aligned. */
  canWrite(address: number, lengthBytes: number): boolean {
    if (address % this.profile.writeAlignmentBytes !== 0) return false;
    for (let i = 0; i < lengthBytes; i += 1) if (this.locate(address + i) === undefined) return false;
    return true;
  }

  /** Programs `bytes` at `address` (caller checked canWrite). Returns false if a locked block refused some. */
  program(address: number, bytes: Uint8Array): boolean {
    const unit = this.profile.writeOnceUnitBytes;
    let accepted = true;
    for (let i = 0; i < bytes.length; i += unit) {
      accepted = this.programUnit(address + i, bytes.subarray(i, i + unit)) && accepted;
    }
    return accepted;
  }

  private programUnit(address: number, bytes: Uint8Array): boolean {
    if (bytes.every((b) => b === BLANK_BYTE)) return true; // writing 0xFF programs nothing
    const first = this.locate(address);
    if (first === undefined) return false;
    const [memory, start] = first;
    if (memory === this.data && this.isLocked(Math.floor(start / this.profile.blockSizeBytes))) {
      this.refusedBytes += bytes.length;
      return false;
    }
    const region = memory === this.data ? 'data' : 'lock';
    if (bytes.length > 1 && memory.subarray(start, start + bytes.length).some((b) => b !== BLANK_BYTE)) {
      this.damaged.push({ region, offsetBytes: start }); // L4: a written double-word is closed
      return false;
    }
    bytes.forEach((value, i) => {
      const old = memory[start + i] ?? BLANK_BYTE;
      if (old !== BLANK_BYTE && value !== BLANK_BYTE) this.damaged.push({ region, offsetBytes: start + i });
      memory[start + i] = old & value;
    });
    return true;
  }

  private isLocked(block: number): boolean {
    return (this.lockBytes[block] ?? BLANK_BYTE) !== BLANK_BYTE;
  }

  private readByte(address: number): number | undefined {
    const uidOffset = address - this.profile.uidAddress;
    if (uidOffset >= 0 && uidOffset < this.uid.length) return this.uid[uidOffset];
    const found = this.locate(address);
    return found === undefined ? undefined : found[0][found[1]];
  }

  private locate(address: number): [Uint8Array, number] | undefined {
    const dataOffset = address - this.profile.otpBaseAddress;
    if (dataOffset >= 0 && dataOffset < this.data.length) return [this.data, dataOffset];
    if (this.profile.lockBaseAddress === null) return undefined;
    const lockOffset = address - this.profile.lockBaseAddress;
    if (lockOffset >= 0 && lockOffset < this.lockBytes.length) return [this.lockBytes, lockOffset];
    return undefined;
  }
}
