import { BLANK_BYTE, type DeviceProfile, LOCKED_BYTE, type OtpState, lockByteCount, otpSizeBytes } from '#ingrain/otp';
import { type FamilyTraits } from './family-traits.js';
import { MemoryMap, type RegionKind } from './memory-map.js';
import { ProgramCounts, type ProgramCountsState } from '../faults/program-counts.js';

/** Why a byte was recorded as damaged (a host broke a rule of OTP programming). */
export type DamageReason =
  /** An already programmed byte (not 0xFF) was programmed again: ST warns the result may be broken. */
  | 'reprogrammed'
  /** L4: a byte was written into a double-word that had already been written; nothing changed. */
  | 'double-word-closed'
  /** A lock byte was programmed with a value other than 0x00 (docs/hardware.md §lock-rules: only 0x00 or 0xFF). */
  | 'illegal-lock-value';

/** One recorded rule violation, by area and byte offset inside that area. */
export interface DamagedByte {
  readonly area: 'data' | 'lock';
  readonly offsetBytes: number;
  readonly reason: DamageReason;
}

/** What a Write Memory payload did to the OTP. */
export interface ProgramOutcome {
  /** Payload bytes the ROM went through (fewer than the payload only when power was lost). */
  readonly processedBytes: number;
  /** Bytes other than 0xFF aimed at a locked block: not programmed, nothing changed. */
  readonly writeProtectedBytes: number;
}

/** Initial content of an {@link OtpMemory}; omitted arrays start blank. */
export interface OtpMemoryContent {
  readonly uid: Uint8Array;
  readonly data?: Uint8Array;
  readonly lockBytes?: Uint8Array;
  readonly damaged?: readonly DamagedByte[];
  readonly programCounts?: ProgramCountsState;
}

/**
 * The OTP area of one simulated chip with the semantics of real OTP flash: bits only go 1→0
 * (new = old AND value), a locked block ignores writes, L4 double-words are written once, and every
 * violation is recorded as a {@link DamagedByte}. Also holds the read-only UID and flash-size
 * register. Pure state: no I/O.
 */
export class OtpMemory {
  readonly map: MemoryMap;
  private readonly data: Uint8Array;
  private readonly lockBytes: Uint8Array;
  private readonly uid: Uint8Array;
  private readonly flashSize: Uint8Array;
  private readonly damaged: DamagedByte[];
  /** Programming operations per byte (a byte programmed twice has a count above one). */
  readonly programCounts: ProgramCounts;

  constructor(
    private readonly profile: DeviceProfile,
    traits: FamilyTraits,
    content: OtpMemoryContent,
  ) {
    this.map = new MemoryMap(profile, traits);
    this.data = copyOrBlank(content.data, otpSizeBytes(profile));
    this.lockBytes = copyOrBlank(content.lockBytes, lockByteCount(profile));
    this.uid = Uint8Array.from(content.uid);
    // The flash-size register is a little-endian 16-bit value in KB.
    this.flashSize = Uint8Array.of(traits.flashSizeKb & 0xff, traits.flashSizeKb >> 8);
    this.damaged = [...(content.damaged ?? [])];
    this.programCounts = new ProgramCounts(this.data.length, this.lockBytes.length, content.programCounts);
  }

  /** Bytes at [address, address + lengthBytes). The caller has checked `map.covers(...)`. */
  read(address: number, lengthBytes: number): Uint8Array {
    const out = new Uint8Array(lengthBytes);
    for (let i = 0; i < lengthBytes; i++) {
      const found = this.map.locate(address + i);
      if (found !== undefined) out[i] = this.areaOf(found.region.kind)[found.offsetBytes] ?? BLANK_BYTE;
    }
    return out;
  }

  /**
   * Programs `payload` at `address` (the caller has checked it is writable) the way the ROM does,
   * byte after byte, stopping after `maxBytes` bytes (power loss). Bits set in
   * `weakBitsAt(offset)` of a data byte never clear (a weak cell). Never throws.
   */
  program(
    address: number,
    payload: Uint8Array,
    maxBytes: number,
    weakBitsAt: (offsetBytes: number) => number = () => 0,
    weakLockBitsAt: (offsetBytes: number) => number = () => 0,
  ): ProgramOutcome {
    const closedDoubleWords = this.closedDoubleWords();
    const processedBytes = Math.min(payload.length, maxBytes);
    let writeProtectedBytes = 0;
    for (let i = 0; i < processedBytes; i++) {
      const value = payload[i] ?? BLANK_BYTE;
      const found = this.map.locate(address + i);
      if (value === BLANK_BYTE || found === undefined) continue; // 0xFF clears no bits: not a programming
      this.programCounts.record(found.region.kind === 'otp-lock' ? 'lock' : 'data', found.offsetBytes);
      if (found.region.kind === 'otp-lock')
        this.programLockByte(found.offsetBytes, value, weakLockBitsAt(found.offsetBytes));
      else if (!this.programDataByte(found.offsetBytes, value | weakBitsAt(found.offsetBytes), closedDoubleWords))
        writeProtectedBytes++;
    }
    return { processedBytes, writeProtectedBytes };
  }

  /**
   * Sets OTP data or lock bytes directly, as a debugger or an earlier production step would have
   * left them: no OTP rule applies and no damage is recorded. For tests that start from a used chip.
   */
  preload(area: 'data' | 'lock', offsetBytes: number, bytes: ArrayLike<number>): void {
    (area === 'data' ? this.data : this.lockBytes).set(bytes, offsetBytes);
  }

  /** True when block `blockIndex` is locked: its lock byte is not 0xFF (any cleared bit counts). */
  isBlockLocked(blockIndex: number): boolean {
    return (this.lockBytes[blockIndex] ?? BLANK_BYTE) !== BLANK_BYTE;
  }

  /** Copies of the OTP data and lock bytes (the shape libs/otp reads back). */
  snapshot(): OtpState {
    return { data: Uint8Array.from(this.data), lockBytes: Uint8Array.from(this.lockBytes) };
  }

  /** The 96-bit unique ID as it lies in memory (12 bytes). */
  uidBytes(): Uint8Array {
    return Uint8Array.from(this.uid);
  }

  /** Every rule violation recorded so far, oldest first. */
  damagedBytes(): readonly DamagedByte[] {
    return [...this.damaged];
  }

  /** Returns false when the byte was not programmed because its block is locked. */
  private programDataByte(offsetBytes: number, value: number, closedDoubleWords: ReadonlySet<number>): boolean {
    const blockIndex = Math.floor(offsetBytes / this.profile.blockSizeBytes);
    if (this.profile.lockBaseAddress !== null && this.isBlockLocked(blockIndex)) return false;
    const unitBytes = this.profile.writeOnceUnitBytes;
    if (unitBytes > 1 && closedDoubleWords.has(Math.floor(offsetBytes / unitBytes))) {
      this.damaged.push({ area: 'data', offsetBytes, reason: 'double-word-closed' });
      return true;
    }
    const old = this.data[offsetBytes] ?? BLANK_BYTE;
    if (old !== BLANK_BYTE) this.damaged.push({ area: 'data', offsetBytes, reason: 'reprogrammed' });
    this.data[offsetBytes] = old & value;
    return true;
  }

  private programLockByte(offsetBytes: number, value: number, weakBits: number): void {
    const old = this.lockBytes[offsetBytes] ?? BLANK_BYTE;
    if (old !== BLANK_BYTE) this.damaged.push({ area: 'lock', offsetBytes, reason: 'reprogrammed' });
    if (value !== LOCKED_BYTE) this.damaged.push({ area: 'lock', offsetBytes, reason: 'illegal-lock-value' });
    this.lockBytes[offsetBytes] = old & (value | weakBits);
  }

  /** Write-once units (L4 double-words) that hold a 0 bit, as of the start of a write. */
  private closedDoubleWords(): ReadonlySet<number> {
    const closed = new Set<number>();
    const unitBytes = this.profile.writeOnceUnitBytes;
    if (unitBytes <= 1) return closed;
    this.data.forEach((byte, offset) => {
      if (byte !== BLANK_BYTE) closed.add(Math.floor(offset / unitBytes));
    });
    return closed;
  }

  private areaOf(kind: RegionKind): Uint8Array {
    switch (kind) {
      case 'otp-data':
        return this.data;
      case 'otp-lock':
        return this.lockBytes;
      case 'uid':
        return this.uid;
      case 'flash-size':
        return this.flashSize;
    }
  }
}

function copyOrBlank(source: Uint8Array | undefined, lengthBytes: number): Uint8Array {
  const out = new Uint8Array(lengthBytes).fill(BLANK_BYTE);
  if (source !== undefined) out.set(source.subarray(0, lengthBytes));
  return out;
}
