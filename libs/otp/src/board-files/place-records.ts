import { imageFromRaw } from '../image/image-helpers.js';
import { BLANK_BYTE, LOCKED_BYTE, type OtpImage } from '../image/otp-image.js';
import { type DeviceProfile, lockByteCount, otpSizeBytes } from '../profiles/device-profile.js';
import { type BoardRecord, hexAddress, positionOf } from './board-record.js';
import { type BoardFileIssue, BoardFileError } from './errors.js';

/** What a board file asks of a chip, as an image, and how much of the OTP it covers. */
export interface BoardImage {
  /** The target: the file's bytes; every OTP byte the file does not give stays blank (0xFF). */
  readonly image: OtpImage;
  /** OTP data bytes the file gives (0xFF included). */
  readonly dataBytesGiven: number;
  /** Lock bytes the file gives (0 when it has none, always 0 on a family without lock bytes). */
  readonly lockBytesGiven: number;
}

type Area = { readonly kind: 'data' | 'lock'; readonly offsetBytes: number } | undefined;

/**
 * Places a board file's records on `profile`'s OTP. A byte may go to OTP data or, where the family
 * has them, to a lock byte, which must be 0x00 (lock the block) or 0xFF (leave it open); every other
 * address is refused, and so is a byte two records both give. The image means what every OtpImage
 * means: the bytes the file does not give must stay blank, so a chip holding data elsewhere is a
 * conflict for the planner, never overwritten.
 *
 * @throws BoardFileError (`BOARD_FILE_INVALID`) listing every refused byte range by address and line
 *   (or file offset), every overlap, and every illegal lock byte.
 */
export function placeBoardRecords(profile: DeviceProfile, records: readonly BoardRecord[], label: string): BoardImage {
  const data = new Uint8Array(otpSizeBytes(profile)).fill(BLANK_BYTE);
  const locks = new Uint8Array(lockByteCount(profile)).fill(BLANK_BYTE);
  const dataOwner = new Int32Array(data.length).fill(-1);
  const lockOwner = new Int32Array(locks.length).fill(-1);
  const issues: BoardFileIssue[] = [];
  records.forEach((record, recordIndex) => {
    let outside: { first: number; last: number; index: number } | undefined;
    let overlapReported = false;
    const flushOutside = () => {
      if (outside !== undefined) issues.push(outsideIssue(profile, record, outside));
      outside = undefined;
    };
    record.bytes.forEach((value, index) => {
      const address = record.address + index;
      const area = areaOf(profile, address);
      if (area === undefined) {
        outside = outside === undefined ? { first: address, last: address, index } : { ...outside, last: address };
        return;
      }
      flushOutside();
      const [bytes, owners] = area.kind === 'data' ? [data, dataOwner] : [locks, lockOwner];
      const owner = owners[area.offsetBytes] ?? -1;
      if (owner !== -1) {
        if (!overlapReported) issues.push(overlapIssue(records, owner, record, index, address));
        overlapReported = true;
        return;
      }
      owners[area.offsetBytes] = recordIndex;
      if (area.kind === 'lock' && value !== LOCKED_BYTE && value !== BLANK_BYTE) {
        issues.push({
          where: positionOf(record, index),
          message:
            `the lock byte of block ${area.offsetBytes} at ${hexAddress(address)} holds 0x${value.toString(16).padStart(2, '0')}: ` +
            'a lock byte is 0x00 (lock the block) or 0xFF (leave it open), nothing else (docs/hardware.md §lock-rules)',
        });
      }
      bytes[area.offsetBytes] = value;
    });
    flushOutside();
  });
  if (issues.length > 0) throw new BoardFileError(label, issues);
  const lockedBlocks = [...locks.keys()].filter((block) => locks[block] === LOCKED_BYTE);
  return {
    image: imageFromRaw(profile.family, data, lockedBlocks),
    dataBytesGiven: dataOwner.filter((owner) => owner !== -1).length,
    lockBytesGiven: lockOwner.filter((owner) => owner !== -1).length,
  };
}

function areaOf(profile: DeviceProfile, address: number): Area {
  const dataOffset = address - profile.otpBaseAddress;
  if (dataOffset >= 0 && dataOffset < otpSizeBytes(profile)) return { kind: 'data', offsetBytes: dataOffset };
  if (profile.lockBaseAddress === null) return undefined;
  const lockOffset = address - profile.lockBaseAddress;
  if (lockOffset >= 0 && lockOffset < lockByteCount(profile)) return { kind: 'lock', offsetBytes: lockOffset };
  return undefined;
}

/** The family's writable OTP, for messages: data range and lock range (or that it has none). */
export function describeOtpArea(profile: DeviceProfile): string {
  const dataEnd = profile.otpBaseAddress + otpSizeBytes(profile) - 1;
  const dataRange = `OTP data ${hexAddress(profile.otpBaseAddress)}–${hexAddress(dataEnd)}`;
  if (profile.lockBaseAddress === null) return `${dataRange}; ${profile.family} has no lock bytes`;
  const lockEnd = profile.lockBaseAddress + lockByteCount(profile) - 1;
  return `${dataRange}, lock bytes ${hexAddress(profile.lockBaseAddress)}–${hexAddress(lockEnd)}`;
}

function outsideIssue(
  profile: DeviceProfile,
  record: BoardRecord,
  run: { first: number; last: number; index: number },
): BoardFileIssue {
  const what =
    run.first === run.last
      ? `the byte at ${hexAddress(run.first)} is`
      : `bytes ${hexAddress(run.first)}–${hexAddress(run.last)} are`;
  return {
    where: positionOf(record, run.index),
    message: `${what} outside the OTP area of ${profile.family} (${describeOtpArea(profile)}): refused`,
  };
}

function overlapIssue(
  records: readonly BoardRecord[],
  ownerIndex: number,
  record: BoardRecord,
  index: number,
  address: number,
): BoardFileIssue {
  const earlier = records[ownerIndex];
  const earlierWhere = earlier === undefined ? 'an earlier record' : positionOf(earlier, address - earlier.address);
  return {
    where: positionOf(record, index),
    message: `overlapping records: ${earlierWhere} already gives the byte at ${hexAddress(address)}`,
  };
}
