import { type FixtureSequences, LineSequenceError, parseLineSequences } from '#ingrain/otp';
import { UsageError } from './usage-error.js';

/** The fixture-line flags `program`, `read` and `doctor` share (docs/station.md, "Fixture lines"). */
export const LINE_FLAGS = {
  lines: { type: 'string' },
  'gpio-chip': { type: 'string' },
  'sim-control': { type: 'string' },
} as const;

/** A fixture's lines as the command line gives them, parsed once here. */
export interface CliLines {
  /** The text as given (for reports). */
  readonly text: string;
  readonly sequences: FixtureSequences;
  readonly gpioChip: string | undefined;
  readonly simControl: string | undefined;
}

/** How `program` starts a verified, locked chip's application: the exit sequence, Go, or not at all. */
export type StartHow = 'none' | 'exit' | 'go';
const START_VALUES: readonly StartHow[] = ['none', 'exit', 'go'];

/**
 * `--lines SEQ [--gpio-chip CHIP] [--sim-control PATH]` → the parsed sequences, or undefined
 * without `--lines`. A bad sequence is a UsageError naming the character (exit 2, nothing sent).
 */
export function parseLineFlags(flags: {
  readonly lines?: string | undefined;
  readonly 'gpio-chip'?: string | undefined;
  readonly 'sim-control'?: string | undefined;
}): CliLines | undefined {
  const gpioChip = flags['gpio-chip'];
  const simControl = flags['sim-control'];
  if (flags.lines === undefined) {
    if (gpioChip !== undefined) throw new UsageError('--gpio-chip needs --lines');
    if (simControl !== undefined) throw new UsageError('--sim-control needs --lines');
    return undefined;
  }
  if (flags.lines === '') throw new UsageError('--lines: an empty sequence');
  if (gpioChip === '') throw new UsageError('--gpio-chip: empty (e.g. gpiochip0)');
  if (simControl === '') throw new UsageError('--sim-control: empty (the simulator line-control socket path)');
  try {
    return { text: flags.lines, sequences: parseLineSequences(flags.lines), gpioChip, simControl };
  } catch (error) {
    if (error instanceof LineSequenceError) throw new UsageError(`--lines: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * `--start none|exit|go` of `program`. Default: `exit` when the sequence has an exit part, else
 * `none`. `exit` needs an exit part.
 */
export function parseStart(text: string | undefined, lines: CliLines | undefined): StartHow {
  if (text === undefined) return lines?.sequences.exit === undefined ? 'none' : 'exit';
  const how = START_VALUES.find((value) => value === text);
  if (how === undefined) throw new UsageError(`--start must be one of ${START_VALUES.join(', ')}`);
  if (how === 'exit' && lines?.sequences.exit === undefined)
    throw new UsageError('--start exit needs --lines with an exit sequence (ENTRY:EXIT)');
  return how;
}
