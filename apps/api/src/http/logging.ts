import type { FastifyServerOptions } from 'fastify';
import type { LogLevel } from '../config/env-schema.js';

/** Anything pino can write lines to (a file stream, or a test's array). */
export interface LogDestination {
  write(line: string): void;
}

// Belt and braces: no log line is built from headers or bodies, but should one carry them, these go.
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'token',
  '*.token',
  'pin',
  '*.pin',
];

/**
 * Options of Fastify's pino logger: JSON lines at `level`, the correlation id as `correlationId`,
 * Authorization headers and token/pin properties redacted. Request bodies are never logged.
 */
export function loggerOptions(level: LogLevel, destination?: LogDestination): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(destination === undefined ? {} : { stream: destination }),
  };
}
