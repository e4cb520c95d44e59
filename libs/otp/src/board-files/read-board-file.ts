import { type DeviceProfile } from '../profiles/device-profile.js';
import { type BoardFileFormat, type BoardRecord } from './board-record.js';
import { BoardFileError } from './errors.js';
import { intelHexRecords } from './parse-intel-hex.js';
import { sRecordRecords } from './parse-srec.js';
import { type BoardImage, placeBoardRecords } from './place-records.js';

export interface BoardFileOptions {
  readonly format: BoardFileFormat;
  /** Raw binaries only: where byte 0 of the file goes, counted from OTP data byte 0 (default 0). */
  readonly offsetBytes?: number;
  /** How messages name the file (its path). */
  readonly label: string;
}

/**
 * Reads a board file for `profile` into the image it asks for (docs/board-files.md):
 * - `bin`: the file's bytes from OTP data byte `offsetBytes` on; it may cover part of the OTP, the
 *   whole OTP, or the whole OTP and the lock bytes that follow it (F2/F4/F7/F72x);
 * - `ihex` (Intel HEX) and `srec` (Motorola S-record): the bytes at the addresses the records give.
 * Every byte outside the OTP data and lock area is refused by address, with its line or file offset.
 *
 * @throws BoardFileError (`BOARD_FILE_INVALID`) for any malformed, overlapping or misplaced byte.
 */
export function readBoardFile(profile: DeviceProfile, content: Uint8Array, options: BoardFileOptions): BoardImage {
  return placeBoardRecords(profile, boardRecords(profile, content, options), options.label);
}

function boardRecords(profile: DeviceProfile, content: Uint8Array, options: BoardFileOptions): BoardRecord[] {
  const { format, offsetBytes, label } = options;
  if (format !== 'bin' && offsetBytes !== undefined) {
    throw new BoardFileError(label, [
      { where: 'options', message: `an offset is for raw binaries only: ${format} records carry their addresses` },
    ]);
  }
  switch (format) {
    case 'bin': {
      const offset = offsetBytes ?? 0;
      if (!Number.isInteger(offset) || offset < 0) {
        throw new BoardFileError(label, [{ where: 'options', message: `offset ${offset} must be a whole number ≥ 0` }]);
      }
      if (content.length === 0) throw new BoardFileError(label, [{ where: 'file', message: 'the file is empty' }]);
      return [{ address: profile.otpBaseAddress + offset, bytes: content, fileOffsetBytes: 0 }];
    }
    case 'ihex':
      return intelHexRecords(new TextDecoder('latin1').decode(content), label);
    case 'srec':
      return sRecordRecords(new TextDecoder('latin1').decode(content), label);
  }
}

/** The format a file name suggests: `.hex`/`.ihex`/`.ihx` Intel HEX, `.srec`/`.s19`/`.s28`/`.s37`/`.mot` S-record, else binary. */
export function boardFileFormatOf(path: string): BoardFileFormat {
  const extension = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  if (['hex', 'ihex', 'ihx'].includes(extension)) return 'ihex';
  if (['srec', 's19', 's28', 's37', 'mot', 'sx'].includes(extension)) return 'srec';
  return 'bin';
}
