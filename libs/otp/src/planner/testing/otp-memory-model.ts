// Test support (not exported): a strict model of OTP programming used to check plans.
import { BLANK_BYTE, LOCKED_BYTE, type OtpState } from '../../image/otp-image.js';
import { type DeviceProfile, lockByteCount, otpSizeBytes } from '../../profiles/device-profile.js';
import { type WriteChunk } from '../plan.js';

/**
 * OTP as the reference describes it (§4): a cell becomes old AND new; a locked block takes no
 * write; lock bytes hold only 0x00/0xFF. Stricter than silicon on purpose, every questionable
 * write is recorded as a violation: a non-0xFF byte written over a programmed byte, any byte
 * written into a locked block, an illegal lock value, and on write-once-unit parts (L4) any write
 * to a double-word that is already programmed or that the write leaves all 0xFF.
 */
export class OtpMemoryModel {
  readonly data: Uint8Array;
  readonly lockBytes: Uint8Array;
  readonly violations: string[] = [];

  constructor(
    private readonly profile: DeviceProfile,
    state: OtpState,
  ) {
    this.data = Uint8Array.from(state.data);
    this.lockBytes = Uint8Array.from(state.lockBytes);
  }

  state(): OtpState {
    return { data: Uint8Array.from(this.data), lockBytes: Uint8Array.from(this.lockBytes) };
  }

  write(chunk: WriteChunk): void {
    const dataOffset = chunk.address - this.profile.otpBaseAddress;
    if (dataOffset >= 0 && dataOffset + chunk.bytes.length <= otpSizeBytes(this.profile)) {
      this.writeData(dataOffset, chunk.bytes);
      return;
    }
    const lockBase = this.profile.lockBaseAddress;
    const lockOffset = lockBase === null ? -1 : chunk.address - lockBase;
    if (lockOffset >= 0 && lockOffset + chunk.bytes.length <= lockByteCount(this.profile)) {
      this.writeLocks(lockOffset, chunk.bytes);
      return;
    }
    this.violations.push(`write of ${chunk.bytes.length} bytes at 0x${chunk.address.toString(16)} is outside OTP`);
  }

  private writeData(offset: number, bytes: Uint8Array): void {
    const unit = this.profile.writeOnceUnitBytes;
    if (unit > 1) {
      for (let i = 0; i < bytes.length; i += unit) this.writeUnit(offset + i, bytes.subarray(i, i + unit));
      return;
    }
    bytes.forEach((value, i) => this.writeByte(offset + i, value));
  }

  private writeByte(offset: number, value: number): void {
    const block = Math.floor(offset / this.profile.blockSizeBytes);
    if (this.lockBytes[block] === LOCKED_BYTE) {
      this.violations.push(`byte ${offset} written in locked block ${block}`);
      return;
    }
    if (value === BLANK_BYTE) return;
    const old = this.data[offset] ?? BLANK_BYTE;
    if (old !== BLANK_BYTE) this.violations.push(`byte ${offset} programmed twice`);
    this.data[offset] = old & value;
  }

  private writeUnit(offset: number, values: Uint8Array): void {
    if (offset % this.profile.writeOnceUnitBytes !== 0 || values.length !== this.profile.writeOnceUnitBytes) {
      this.violations.push(`write at ${offset} does not cover whole double-words`);
      return;
    }
    const old = this.data.subarray(offset, offset + values.length);
    if (!old.every((b) => b === BLANK_BYTE)) this.violations.push(`double-word at ${offset} written twice`);
    if (values.every((b) => b === BLANK_BYTE)) this.violations.push(`double-word at ${offset} written all 0xFF`);
    values.forEach((value, i) => (old[i] = (old[i] ?? BLANK_BYTE) & value));
  }

  private writeLocks(offset: number, bytes: Uint8Array): void {
    bytes.forEach((value, i) => {
      const old = this.lockBytes[offset + i] ?? BLANK_BYTE;
      if (value === BLANK_BYTE) return;
      if (value !== LOCKED_BYTE) this.violations.push(`lock byte ${offset + i} written with 0x${value.toString(16)}`);
      if (old !== BLANK_BYTE) this.violations.push(`lock byte ${offset + i} programmed twice`);
      this.lockBytes[offset + i] = old & value;
    });
  }
}
