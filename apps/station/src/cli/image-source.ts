import { readFileSync } from 'node:fs';
import {
  BoardFileError,
  type BoardFileFormat,
  boardFileFormatOf,
  getProfile,
  imageFromRaw,
  type ChipFamily,
  type OtpImage,
  OtpError,
  readBoardFile,
} from '#ingrain/otp';
import { UsageError } from './usage-error.js';

/** `program --family F --image FILE …`: the board file and what the command line adds to it. */
export interface ImageSourceArgs {
  readonly family: ChipFamily;
  readonly imagePath: string;
  /** `--format`; by default the file name decides (docs/board-files.md). */
  readonly format?: BoardFileFormat;
  /** `--offset`: raw binaries only, where the file's byte 0 goes, from OTP data byte 0. */
  readonly offsetBytes?: number;
  /** `--lock`: blocks to lock besides those whose lock byte the file sets to 0x00. */
  readonly lockedBlocks: readonly number[];
}

/**
 * Reads `--image` as a board file (raw binary, Intel HEX or S-record) for `--family` and adds the
 * `--lock` blocks. Everything is checked before a port is opened; every problem becomes a UsageError
 * (exit 2) naming the file, the line or file offset, and the address.
 */
export function loadImageSource(args: ImageSourceArgs): OtpImage {
  const profile = getProfile(args.family);
  const content = readImageFile(args.imagePath);
  const format = args.format ?? boardFileFormatOf(args.imagePath);
  try {
    const board = readBoardFile(profile, content, {
      format,
      label: `image ${args.imagePath} (${format})`,
      ...(args.offsetBytes === undefined ? {} : { offsetBytes: args.offsetBytes }),
    });
    const locks = [...new Set([...board.image.lockedBlocks, ...args.lockedBlocks])];
    return imageFromRaw(args.family, board.image.data, locks);
  } catch (error) {
    if (error instanceof BoardFileError) {
      const lines = error.issues.map((issue) => `  ${issue.where}: ${issue.message}`);
      throw new UsageError(`image ${args.imagePath} (${format}) is refused (${error.code}):\n${lines.join('\n')}`, {
        cause: error,
      });
    }
    if (error instanceof OtpError) {
      throw new UsageError(`image ${args.imagePath} is invalid (${error.code}): ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function readImageFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`--image ${path}: cannot read the file (${reason})`);
  }
}
