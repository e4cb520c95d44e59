import { type DeviceProfile, lockByteCount, otpSizeBytes } from '#ingrain/otp';
import { type FamilyTraits } from './family-traits.js';

/** The kinds of memory a simulated ROM bootloader exposes. */
export type RegionKind = 'otp-data' | 'otp-lock' | 'uid' | 'flash-size';

/** One contiguous mapped range of the address space. */
export interface MemoryRegion {
  readonly kind: RegionKind;
  readonly startAddress: number;
  readonly lengthBytes: number;
  /** Whether Write Memory may target it (OTP data and lock bytes only). */
  readonly writable: boolean;
}

/** A located byte: its region and offset inside it. */
export interface RegionOffset {
  readonly region: MemoryRegion;
  readonly offsetBytes: number;
}

/**
 * The readable address space of a simulated part: OTP data, lock bytes, UID and flash-size
 * register. Everything else is unmapped (Read/Write Memory answer NACK).
 */
export class MemoryMap {
  readonly regions: readonly MemoryRegion[];

  constructor(profile: DeviceProfile, traits: FamilyTraits) {
    const regions: MemoryRegion[] = [
      { kind: 'otp-data', startAddress: profile.otpBaseAddress, lengthBytes: otpSizeBytes(profile), writable: true },
      { kind: 'uid', startAddress: profile.uidAddress, lengthBytes: profile.uidLengthBytes, writable: false },
      { kind: 'flash-size', startAddress: traits.flashSizeAddress, lengthBytes: 2, writable: false },
    ];
    if (profile.lockBaseAddress !== null) {
      const lengthBytes = lockByteCount(profile);
      regions.push({ kind: 'otp-lock', startAddress: profile.lockBaseAddress, lengthBytes, writable: true });
    }
    this.regions = regions.sort((a, b) => a.startAddress - b.startAddress);
  }

  /** The region and offset of `address`, or undefined when it is unmapped. */
  locate(address: number): RegionOffset | undefined {
    for (const region of this.regions) {
      const offsetBytes = address - region.startAddress;
      if (offsetBytes >= 0 && offsetBytes < region.lengthBytes) return { region, offsetBytes };
    }
    return undefined;
  }

  /** True when every byte of [address, address + lengthBytes) is mapped (and writable if asked). */
  covers(address: number, lengthBytes: number, requireWritable: boolean): boolean {
    let cursor = address;
    const end = address + lengthBytes;
    while (cursor < end) {
      const found = this.locate(cursor);
      if (found === undefined || (requireWritable && !found.region.writable)) return false;
      cursor += found.region.lengthBytes - found.offsetBytes;
    }
    return true;
  }
}
