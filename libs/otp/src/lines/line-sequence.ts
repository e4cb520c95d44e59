import { OtpError } from '../errors.js';

/**
 * A fixture control line: the adapter's DTR or RTS modem line, its BREAK condition, or a Linux GPIO
 * line (an offset on the fixture's GPIO chip).
 */
export type FixtureLine = { readonly kind: 'dtr' } | { readonly kind: 'rts' } | { readonly kind: 'brk' } | GpioLine;

/** A line of the GPIO character device: `offset` on the fixture's configured chip (e.g. gpiochip0). */
export interface GpioLine {
  readonly kind: 'gpio';
  readonly offset: number;
}

/**
 * One step of a sequence. `on` follows stm32flash's `-i` meaning: for DTR and RTS it asserts the
 * modem signal (TIOCM bit set; on most USB-UART adapters the pin then goes electrically LOW, see
 * docs/fixtures.md "Polarity"), for a GPIO line it drives the line high; `brk` on sends a BREAK
 * pulse (`-brk` does nothing, as in stm32flash). `wait` pauses.
 */
export type LineStep =
  | { readonly kind: 'set'; readonly line: FixtureLine; readonly on: boolean }
  | { readonly kind: 'wait'; readonly durationMs: number };

/** A fixture's two sequences: `entry` resets the chip into its bootloader, `exit` starts its application. */
export interface FixtureSequences {
  readonly entry: readonly LineStep[];
  /** Undefined when the text has no `:` part (stm32flash then resets through the bootloader). */
  readonly exit: readonly LineStep[] | undefined;
}

/** What `,` stands for between two signals: a 100 ms pause (stm32flash `-i`). */
export const SEQUENCE_COMMA_DELAY_MS = 100;
/** Length of the BREAK pulse `brk` sends: stm32flash's tcsendbreak(fd, 1) is 100 ms on Linux/glibc. */
export const BREAK_PULSE_MS = 100;
/** Highest GPIO line offset accepted (a sanity bound: real chips have at most a few hundred lines). */
const MAX_GPIO_OFFSET = 4095;

/** A sequence text that is not valid. `position` is the 0-based character index in the whole text. */
export class LineSequenceError extends OtpError {
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super('LINE_SEQUENCE_INVALID', `line sequence, character ${position + 1}: ${reason}`);
  }
}

/**
 * Parses a fixture sequence in stm32flash's `-i` syntax: `[entry][:[exit]]`, each a list of
 * signals `rts`, `dtr`, `brk` or a GPIO line offset, `-` before a signal for off/low, `,` for a
 * 100 ms pause and `&` (or nothing) for none. Examples: `-rts&dtr,,rts:-dtr&rts,-rts`, `17,-17`.
 * Whitespace is not allowed (as in stm32flash). Parsed once, at the edge (config load).
 *
 * @throws LineSequenceError naming the character position and the reason.
 */
export function parseLineSequences(text: string): FixtureSequences {
  const colon = text.indexOf(':');
  if (colon !== -1 && text.indexOf(':', colon + 1) !== -1) {
    throw new LineSequenceError(text.indexOf(':', colon + 1), 'a second ":" (only one separates entry from exit)');
  }
  const entryText = colon === -1 ? text : text.slice(0, colon);
  const entry = parseSteps(entryText, 0);
  const exit = colon === -1 ? undefined : parseSteps(text.slice(colon + 1), colon + 1);
  return { entry, exit };
}

/** Parses one side (entry or exit); `base` is its offset in the whole text, for error positions. */
function parseSteps(text: string, base: number): LineStep[] {
  const steps: LineStep[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index] ?? '';
    if (char === ',') {
      addWait(steps, SEQUENCE_COMMA_DELAY_MS);
      index += 1;
      continue;
    }
    if (char === '&') {
      index += 1;
      continue;
    }
    const on = char !== '-';
    const signalAt = on ? index : index + 1;
    const { line, length } = parseSignal(text, signalAt, base);
    steps.push({ kind: 'set', line, on });
    index = signalAt + length;
  }
  return steps;
}

function parseSignal(text: string, at: number, base: number): { line: FixtureLine; length: number } {
  const rest = text.slice(at);
  const digits = /^\d+/.exec(rest)?.[0];
  if (digits !== undefined) {
    const offset = Number(digits);
    if (offset > MAX_GPIO_OFFSET)
      throw new LineSequenceError(base + at, `GPIO line ${digits} is out of range (0-${MAX_GPIO_OFFSET})`);
    return { line: { kind: 'gpio', offset }, length: digits.length };
  }
  for (const name of ['rts', 'dtr', 'brk'] as const) {
    if (rest.startsWith(name)) return { line: { kind: name }, length: name.length };
  }
  if (rest === '' || rest.startsWith(',') || rest.startsWith('&') || rest.startsWith('-'))
    throw new LineSequenceError(base + at - 1, '"-" must be followed by a signal (rts, dtr, brk or a GPIO number)');
  throw new LineSequenceError(
    base + at,
    `"${rest[0] ?? ''}" is not a signal (rts, dtr, brk, a GPIO number) nor a separator ("," pause, "&" none, ":" exit)`,
  );
}

function addWait(steps: LineStep[], durationMs: number): void {
  const last = steps.at(-1);
  if (last?.kind === 'wait') steps[steps.length - 1] = { kind: 'wait', durationMs: last.durationMs + durationMs };
  else steps.push({ kind: 'wait', durationMs });
}

/** Every GPIO line offset a sequence drives (sorted, unique). */
export function gpioOffsetsOf(sequences: FixtureSequences): number[] {
  const offsets = new Set<number>();
  for (const step of [...sequences.entry, ...(sequences.exit ?? [])])
    if (step.kind === 'set' && step.line.kind === 'gpio') offsets.add(step.line.offset);
  return [...offsets].sort((a, b) => a - b);
}

/** The text form of a sequence (the inverse of parsing, with `&` between signals). */
export function formatSteps(steps: readonly LineStep[]): string {
  let out = '';
  let previousWasSet = false;
  for (const step of steps) {
    if (step.kind === 'wait') {
      out += ','.repeat(Math.max(1, Math.round(step.durationMs / SEQUENCE_COMMA_DELAY_MS)));
      previousWasSet = false;
      continue;
    }
    const name = step.line.kind === 'gpio' ? String(step.line.offset) : step.line.kind;
    out += `${previousWasSet ? '&' : ''}${step.on ? '' : '-'}${name}`;
    previousWasSet = true;
  }
  return out;
}
