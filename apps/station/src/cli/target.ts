import { readFileSync } from 'node:fs';
import {
  type ByteRange,
  type Layout,
  type OtpImage,
  encodeImage,
  getProfile,
  LayoutValidationError,
  OtpError,
  parseLayout,
  ValuesValidationError,
} from '#ingrain/otp';
import { type ProgramArgs } from './args.js';
import { loadImageSource } from './image-source.js';
import { UsageError } from './usage-error.js';

/** What `program` will write, and which OTP bytes must never be printed. */
export interface ProgramTarget {
  readonly image: OtpImage;
  readonly layout: Layout | undefined;
  readonly secretRanges: readonly ByteRange[];
}

function readFileFor(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`${flag} ${path}: cannot read the file (${reason})`);
  }
}

function describeInvalid(what: string, error: unknown): never {
  if (error instanceof LayoutValidationError || error instanceof ValuesValidationError) {
    const lines = error.issues.map((issue) => `  ${issue.path}: ${issue.message}`);
    throw new UsageError(`${what} is invalid (${error.code}):\n${lines.join('\n')}`, { cause: error });
  }
  if (error instanceof OtpError) throw new UsageError(`${what} is invalid (${error.code}): ${error.message}`);
  throw error;
}

/** Loads and validates a layout file (YAML or JSON). Throws UsageError listing every issue. */
export function loadLayoutFile(path: string): Layout {
  const text = readFileFor('--layout', path).toString('utf8');
  try {
    return parseLayout(text, path.endsWith('.json') ? 'json' : undefined);
  } catch (error) {
    return describeInvalid(`layout ${path}`, error);
  }
}

/** The OTP byte ranges of a layout's secret fields (never printed or logged). */
export function secretRangesOf(layout: Layout | undefined): ByteRange[] {
  return (layout?.fields ?? [])
    .filter((field) => field.secret)
    .map((field) => ({ offsetBytes: field.otpOffsetBytes, lengthBytes: field.sizeBytes }));
}

function loadValues(path: string): Record<string, unknown> {
  let values: unknown;
  try {
    values = JSON.parse(readFileFor('--values', path).toString('utf8'));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--values ${path}: not valid JSON`);
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values))
    throw new UsageError(`--values ${path}: must be a JSON object of field name → value`);
  return values as Record<string, unknown>;
}

/** Builds the target image from the command line, validating everything before any device I/O. */
export function loadProgramTarget(args: ProgramArgs): ProgramTarget {
  if (args.mode === 'layout') {
    const layout = loadLayoutFile(args.layoutPath);
    const values = loadValues(args.valuesPath);
    try {
      return { image: encodeImage(layout, values), layout, secretRanges: secretRangesOf(layout) };
    } catch (error) {
      return describeInvalid(`values ${args.valuesPath}`, error);
    }
  }
  const image = loadImageSource(args); // a board file: binary (at --offset), Intel HEX or S-record
  if (!args.lockEmpty) refuseEmptyLocks(image, args.imagePath);
  return { image, layout: undefined, secretRanges: [] };
}

/**
 * A lock is for ever: locking a block the image leaves blank (every byte 0xFF) makes it unusable for
 * good, almost always by mistake (a wrong image, a wrong block number). Layouts refuse it outright
 * (`block N holds no field`); a raw image needs `--lock-empty` for it. Throws UsageError naming the blocks.
 */
function refuseEmptyLocks(image: OtpImage, imagePath: string): void {
  const { blockSizeBytes } = getProfile(image.family);
  const empty = image.lockedBlocks.filter((block) =>
    image.data.subarray(block * blockSizeBytes, (block + 1) * blockSizeBytes).every((byte) => byte === 0xff),
  );
  if (empty.length === 0) return;
  const blocks = `block${empty.length === 1 ? '' : 's'} ${empty.join(', ')}`;
  throw new UsageError(
    `--lock: ${blocks} of ${imagePath} ${empty.length === 1 ? 'holds' : 'hold'} no data (every byte 0xFF): ` +
      `locking would leave ${empty.length === 1 ? 'it' : 'them'} blank for ever; add --lock-empty to lock anyway`,
  );
}
