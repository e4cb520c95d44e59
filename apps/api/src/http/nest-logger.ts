import type { LoggerService } from '@nestjs/common';
import type { FastifyBaseLogger } from 'fastify';

// Nest's start-up chatter (module wiring, every mapped route) is debug material, not info.
const QUIET_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's LoggerService on the app's pino logger (Fastify's), so Nest and its `Logger` instances
 * write the same structured JSON lines as the requests, with the same redaction.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: FastifyBaseLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = contextOf(params);
    this.#write(context !== undefined && QUIET_CONTEXTS.has(context) ? 'debug' : 'info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.#write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.#write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.#write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.#write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.#write('fatal', message, params);
  }

  #write(level: Level, message: unknown, params: unknown[]): void {
    const context = contextOf(params);
    const err = message instanceof Error ? message : params.find((param) => param instanceof Error);
    const text =
      message instanceof Error ? message.message : typeof message === 'string' ? message : JSON.stringify(message);
    this.logger[level]({ context, ...(err === undefined ? {} : { err }) }, text);
  }
}

function contextOf(params: readonly unknown[]): string | undefined {
  const last = params.at(-1);
  return typeof last === 'string' ? last : undefined;
}
