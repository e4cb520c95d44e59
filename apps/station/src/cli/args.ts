import { parseArgs } from 'node:util';
import { z } from 'zod';
import { BOARD_FILE_FORMATS, CHIP_FAMILIES } from '#ingrain/otp';
import { type CliLines, LINE_FLAGS, parseLineFlags, parseStart, type StartHow } from './lines-args.js';
import { UsageError } from './usage-error.js';

const baudRate = z.coerce
  .number({ error: '--baud must be a number' })
  .int('--baud must be a whole number')
  .min(1200, '--baud must be at least 1200 (AN3155 range 1200–115200)')
  .max(115_200, '--baud must be at most 115200 (AN3155 range 1200–115200)');

const lockList = z
  .string()
  .regex(/^(\d+(,\d+)*)?$/, '--lock must be a comma-separated list of block numbers, e.g. 0,1,2')
  .transform((text) => (text === '' ? [] : text.split(',').map(Number)));

const common = {
  port: z.string({ error: '--port is required' }).min(1, '--port is required'),
  baudRate,
  json: z.boolean(),
};

const programLayout = z.object({
  ...common,
  mode: z.literal('layout'),
  layoutPath: z.string(),
  valuesPath: z.string(),
  dryRun: z.boolean(),
});
const programImage = z.object({
  ...common,
  mode: z.literal('image'),
  family: z.enum(CHIP_FAMILIES, { error: `--family must be one of ${CHIP_FAMILIES.join(', ')}` }),
  imagePath: z.string(),
  lockedBlocks: lockList,
  /** `--lock-empty`: lock listed blocks even where the image holds no data (every byte 0xFF). */
  lockEmpty: z.boolean(),
  dryRun: z.boolean(),
  // Board files (apps/station/src/cli/image-source.ts, docs/board-files.md).
  format: z.enum(BOARD_FILE_FORMATS, { error: `--format must be one of ${BOARD_FILE_FORMATS.join(', ')}` }).optional(),
  offsetBytes: z
    .string()
    .regex(/^(0x[0-9a-fA-F]+|\d+)$/, '--offset must be a byte count from OTP byte 0 (decimal or 0x hex)')
    .transform(Number)
    .optional(),
});
/** What `program` does with the fixture's lines (lines-args.ts). */
interface ProgramLines {
  readonly lines: CliLines | undefined;
  readonly start: StartHow;
}
export type ProgramArgs = (z.infer<typeof programLayout> | z.infer<typeof programImage>) & ProgramLines;

const readArgs = z.object({ ...common, layoutPath: z.string().optional(), family: z.enum(CHIP_FAMILIES).optional() });
export type ReadArgs = z.infer<typeof readArgs> & { readonly lines: CliLines | undefined };

const FLAGS = {
  port: { type: 'string' },
  baud: { type: 'string', default: '115200' },
  layout: { type: 'string' },
  values: { type: 'string' },
  family: { type: 'string' },
  image: { type: 'string' },
  lock: { type: 'string' },
  'lock-empty': { type: 'boolean', default: false },
  format: { type: 'string' },
  offset: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  ...LINE_FLAGS,
  start: { type: 'string' },
} as const;

function parseFlags(argv: readonly string[]): ReturnType<typeof parseArgs<{ options: typeof FLAGS }>>['values'] {
  try {
    return parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function check<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('; '));
}

/** Parses `program` flags: either --layout + --values, or --family + --image [+ --lock]. */
export function parseProgramArgs(argv: readonly string[]): ProgramArgs {
  const f = parseFlags(argv);
  const lines = parseLineFlags(f);
  const fixture: ProgramLines = { lines, start: parseStart(f.start, lines) };
  const base = { port: f.port, baudRate: f.baud, json: f.json, dryRun: f['dry-run'] };
  if (f.layout !== undefined || f.values !== undefined) {
    if (
      f.image !== undefined ||
      f.family !== undefined ||
      f.lock !== undefined ||
      f['lock-empty'] ||
      f.format ||
      f.offset
    )
      throw new UsageError('give either --layout and --values, or --family, --image and --lock, not both');
    if (f.layout === undefined) throw new UsageError('--values needs --layout');
    if (f.values === undefined) throw new UsageError('--layout needs --values (a JSON file of per-device values)');
    return {
      ...check(programLayout, { ...base, mode: 'layout', layoutPath: f.layout, valuesPath: f.values }),
      ...fixture,
    };
  }
  if (f.image === undefined || f.family === undefined)
    throw new UsageError(
      'program needs --layout L --values V, or --family F --image FILE [--format bin|ihex|srec] [--offset N] [--lock 0,1,… [--lock-empty]]',
    );
  if (f['lock-empty'] && f.lock === undefined) throw new UsageError('--lock-empty needs --lock');
  const image = check(programImage, {
    ...base,
    mode: 'image',
    family: f.family,
    imagePath: f.image,
    lockedBlocks: f.lock ?? '',
    lockEmpty: f['lock-empty'],
    format: f.format,
    offsetBytes: f.offset,
  });
  return { ...image, ...fixture };
}

/** Parses `read` flags. */
export function parseReadArgs(argv: readonly string[]): ReadArgs {
  const f = parseFlags(argv);
  for (const flag of ['values', 'image', 'lock', 'lock-empty', 'dry-run', 'format', 'offset', 'start'] as const)
    if (f[flag] !== undefined && f[flag] !== false) throw new UsageError(`--${flag} is not an option of read`);
  const lines = parseLineFlags(f);
  return {
    ...check(readArgs, { port: f.port, baudRate: f.baud, json: f.json, layoutPath: f.layout, family: f.family }),
    lines,
  };
}
