import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { PinoPretty } from 'pino-pretty';

/** How log lines are written: JSON lines, or readable lines for a person at a terminal. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** pino's levels, plus `silent`. */
export const LOG_LEVEL_NAMES = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVEL_NAMES)[number];

/**
 * Every path a secret could sit at, censored in every line of both apps (docs/observability.md).
 * Belt and braces: no line is built from headers, bodies or secret fields; should one carry them,
 * these go. pino's paths are exact, with `*` for one level.
 */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  ...['authorization', 'cookie', 'token', 'pin', 'password', 'secret', 'secrets', 'sealedSecrets']
    .concat(['privateKey', 'sessionId', 'session', 'webhookSecret', 'apiKey', 'accessToken', 'refreshToken'])
    .flatMap((key) => [key, `*.${key}`]),
];

/** The censor written in place of a redacted value. */
export const REDACTED = '[redacted]';

// pino's redaction is exact and cheap for named paths, but a `*.key` path makes it clone every
// field of every line (and every child logger's bindings): tens of microseconds per request line.
// The one-level-down paths are enforced by censorOneLevelDown instead, which copies nothing unless
// a secret key is there.
const EXACT_PATHS = REDACTED_PATHS.filter((path) => !path.startsWith('*.'));
const ONE_LEVEL_DOWN_KEYS = REDACTED_PATHS.filter((path) => path.startsWith('*.')).map((path) => path.slice(2));

/** `value` with its secret keys censored: the same object when it has none, else a copy (same prototype). */
function censorKeys(value: object): object {
  if (Array.isArray(value)) return value as unknown[];
  let copy: object | undefined;
  for (const key of ONE_LEVEL_DOWN_KEYS) {
    if (!(key in value) || (value as Record<string, unknown>)[key] === undefined) continue;
    copy ??= Object.create(
      Object.getPrototypeOf(value) as object | null,
      Object.getOwnPropertyDescriptors(value),
    ) as object;
    Object.defineProperty(copy, key, { value: REDACTED, enumerable: true, writable: true, configurable: true });
  }
  return copy ?? value;
}

/** The `*.key` paths of {@link REDACTED_PATHS}: each field of a line that is an object loses its secret keys. */
function censorOneLevelDown(line: Record<string, unknown>): Record<string, unknown> {
  let result = line;
  for (const field of Object.keys(line)) {
    const value = line[field];
    if (typeof value !== 'object' || value === null) continue;
    const censored = censorKeys(value);
    if (censored === value) continue;
    if (result === line) result = { ...line };
    result[field] = censored;
  }
  return result;
}

export interface LogOptions {
  readonly level: LogLevelName;
  /** `api` or `station`: every line carries it as `component`. */
  readonly component: string;
  /** More fields on every line (e.g. `stationId`). */
  readonly base?: Readonly<Record<string, string>>;
}

/**
 * The one log format of both apps: pino JSON lines with `time` (ISO 8601 UTC), `level` (pino's
 * number: 30 info, 40 warn, 50 error), `msg`, `component`, the app's fields (`stationId`,
 * `deviceId`, `code`…), every secret path redacted (the one-level-down ones in the line's fields;
 * a child logger's bindings are flat: correlation id, station id).
 */
export function logOptions(options: LogOptions): LoggerOptions {
  return {
    level: options.level,
    base: { pid: process.pid, hostname: hostname(), component: options.component, ...options.base },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: EXACT_PATHS, censor: REDACTED },
    formatters: { log: censorOneLevelDown },
  };
}

/**
 * The format when none is configured: readable lines when `stream` is a terminal, JSON otherwise.
 */
export function defaultLogFormat(stream: { readonly isTTY?: boolean }): LogFormat {
  return stream.isTTY === true ? 'pretty' : 'json';
}

export interface LogDestinationOptions {
  readonly format: LogFormat;
  /** The terminal-side stream (stdout for the API, stderr for the station). */
  readonly stream: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly fd?: number };
  /** JSON lines also go to this file (appended, created with its directory), whatever `format`. */
  readonly file?: string | undefined;
}

/** Where the lines go: `stream` in `format`, plus JSON to `file`. Writes are synchronous (no line lost at exit). */
export function logDestination(options: LogDestinationOptions): DestinationStream {
  const console =
    options.format === 'pretty'
      ? PinoPretty({
          destination: options.stream,
          colorize: options.stream.isTTY === true,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,component',
          sync: true,
        })
      : (options.stream as DestinationStream);
  if (options.file === undefined) return console;
  const file = pino.destination({ dest: options.file, sync: true, mkdir: true, append: true });
  return pino.multistream([
    { level: 'trace', stream: console },
    { level: 'trace', stream: file },
  ]);
}

/** A logger with {@link logOptions} writing to `destination`. */
export function createLogger(options: LogOptions, destination: DestinationStream): Logger {
  return pino(logOptions(options), destination);
}
