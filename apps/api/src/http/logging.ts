import { createLogger, defaultLogFormat, logDestination } from '#ingrain/logging';
import type { Logger } from 'pino';
import type { ApiConfig } from '../config/api-config.js';

/** Anything pino can write lines to (a file stream, or a test's array). */
export interface LogDestination {
  write(line: string): void;
}

/**
 * The API's logger (libs/logging: the format both apps share): JSON lines with `component: "api"`,
 * the correlation id as `correlationId`, every secret path redacted; to stdout (readable lines on a
 * terminal, or as INGRAIN_LOG_FORMAT says) and, with INGRAIN_LOG_FILE, JSON to that file.
 * `destination` (tests) replaces both: JSON lines only. Request bodies are never logged.
 */
export function createApiLogger(
  config: Pick<ApiConfig, 'logLevel' | 'logFormat' | 'logFile'>,
  destination?: LogDestination,
): Logger {
  const options = { level: config.logLevel, component: 'api' };
  if (destination !== undefined) return createLogger(options, destination);
  const format = config.logFormat ?? defaultLogFormat(process.stdout);
  return createLogger(options, logDestination({ format, stream: process.stdout, file: config.logFile }));
}
