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
  /** `--lock-empty` (with `--lock`): lock the listed blocks even where they hold no data. */
  readonly lockEmpty?: boolean;
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
    refuseEmptyFileLocks(args, board.image);
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

/**
 * A lock byte 0x00 in the file for a block the file leaves blank would lock that block blank for ever,
 * almost always a mistake (a lock area copied from another board). As with `--lock`, it is refused
 * unless the operator names the block in `--lock` and adds `--lock-empty`.
 */
function refuseEmptyFileLocks(args: ImageSourceArgs, image: OtpImage): void {
  const { blockSizeBytes } = getProfile(args.family);
  const confirmed = new Set(args.lockEmpty === true ? args.lockedBlocks : []);
  const empty = image.lockedBlocks.filter(
    (block) =>
      !confirmed.has(block) &&
      image.data.subarray(block * blockSizeBytes, (block + 1) * blockSizeBytes).every((byte) => byte === 0xff),
  );
  if (empty.length === 0) return;
  const list = empty.join(',');
  throw new UsageError(
    `image ${args.imagePath}: its lock bytes lock block${empty.length === 1 ? '' : 's'} ${list}, which the file leaves ` +
      `blank (every byte 0xFF): locked, ${empty.length === 1 ? 'it' : 'they'} could never be written again; ` +
      `to lock anyway, add --lock ${list} --lock-empty`,
  );
}

function readImageFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`--image ${path}: cannot read the file (${reason})`);
  }
}
