// The one place where errors of the libraries, the persistence layer and the frameworks become the
// API's errors. Everything not named here is an internal error (500) whose detail reveals nothing.
import { HttpException } from '@nestjs/common';
import { ContractError } from '#ingrain/contracts';
import { LayoutValidationError, ValuesValidationError } from '#ingrain/otp';
import { z } from 'zod';
import { DatabaseError } from '../database/errors.js';
import { AppError } from '../errors/app-error.js';
import { ERROR_CATALOGUE, isErrorCode, type ErrorCode } from '../errors/error-catalogue.js';
import { zodIssues } from './request-validation.error.js';

/**
 * The AppError a library error stands for, or undefined when it has no API meaning:
 * - libs/contracts' ContractError with a code of the catalogue (STATION_REPORT_INVALID with its field
 *   errors, DEVICE_STATE_CONFLICT with `{ state, action }`, DEVICE_RELEASE_REFUSED): as it says;
 *   JOB_PAYLOAD_INVALID and JOB_LINE_INVALID are internal;
 * - libs/otp's LayoutValidationError / ValuesValidationError: LAYOUT_INVALID / VALUES_INVALID with
 *   their issues, the detail being the message's first line;
 * - a retryable DatabaseError (serialization, connection, timeout): DATABASE_UNAVAILABLE with
 *   `Retry-After` (the same request may well succeed soon); any other is internal;
 * - a bare ZodError: VALIDATION_FAILED naming each path.
 */
export function appErrorOf(error: unknown): AppError | undefined {
  if (error instanceof ContractError) {
    if (!isErrorCode(error.code) || ERROR_CATALOGUE[error.code].status === null) return undefined;
    return new AppError(error.code, error.message, { errors: error.issues, extensions: error.details, cause: error });
  }
  if (error instanceof LayoutValidationError || error instanceof ValuesValidationError) {
    const detail = (error.message.split('\n')[0] ?? error.code).replace(/:$/, '');
    const code = error instanceof LayoutValidationError ? 'LAYOUT_INVALID' : 'VALUES_INVALID';
    return new AppError(code, detail, { errors: error.issues, cause: error });
  }
  if (error instanceof DatabaseError && error.retryable) {
    return new AppError('DATABASE_UNAVAILABLE', 'the database is busy or unreachable; retry the request', {
      headers: { 'retry-after': '1' },
      cause: error,
    });
  }
  if (error instanceof z.ZodError) {
    return new AppError('VALIDATION_FAILED', 'the request is invalid', { errors: zodIssues(error), cause: error });
  }
  return undefined;
}

/** The generic code of each HTTP status the frameworks answer with; any other is `HTTP_<status>`. */
const GENERIC_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_CONTENT',
  429: 'TOO_MANY_REQUESTS',
  431: 'REQUEST_HEADERS_TOO_LARGE',
  503: 'SERVICE_UNAVAILABLE',
};

/** The generic code of a framework status: a catalogue code, or `HTTP_<status>` for an unlisted one. */
export function genericCode(status: number): string {
  return GENERIC_CODES[status] ?? `HTTP_${status}`;
}

/**
 * The status and message of a framework's HTTP error: a Nest HttpException, or one of Fastify's own
 * client errors (FST_ERR_CTP_BODY_TOO_LARGE …, which carry a 4xx `statusCode`).
 */
export function frameworkStatusOf(error: unknown): { status: number; message: string } | undefined {
  if (error instanceof HttpException) return { status: error.getStatus(), message: error.message };
  if (!(error instanceof Error)) return undefined;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  const isFastify = typeof code === 'string' && code.startsWith('FST_');
  if (!isFastify || typeof statusCode !== 'number' || statusCode < 400 || statusCode > 499) return undefined;
  return { status: statusCode, message: error.message };
}
