import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import { LayoutValidationError, ValuesValidationError } from '#ingrain/otp';
import { z } from 'zod';
import { DatabaseError } from '../database/errors.js';
import { ApiError, type FieldIssue } from './api-error.js';
import { responseModel } from './api-models.js';
import { domainErrorOf } from './contract-problem.js';
import { zodIssues } from './request-validation.error.js';

/** The media type of every error response (RFC 9457 §3). */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** The `type` URI of a problem: one per stable code (RFC 9457 §3.1.1 allows non-resolvable URIs). */
export function problemType(code: string): string {
  return `urn:ingrain:problem:${code}`;
}

export const ProblemDetails = responseModel(
  'ProblemDetails',
  z
    .object({
      type: z.string().describe('urn:ingrain:problem:<code>'),
      title: z.string(),
      status: z.int().min(400).max(599),
      detail: z.string(),
      code: z.string().describe('Stable machine-readable error code'),
      errors: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .describe('One entry per invalid field (empty when the problem is not about fields)'),
      correlationId: z.string().describe('The X-Request-Id of the request: quote it when reporting a problem'),
    })
    .catchall(z.unknown())
    .describe('RFC 9457 problem details'),
);
export type ProblemDetails = z.output<typeof ProblemDetails>;

/** The response for an error: status, problem body, extra headers, and whether it is the server's fault. */
export interface ProblemResponse {
  readonly problem: ProblemDetails;
  readonly headers: Readonly<Record<string, string>>;
  /** True for a 5xx: logged at error level with the original error; its detail says nothing. */
  readonly internal: boolean;
}

const RESERVED_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'code', 'errors', 'correlationId']);

const GENERIC_CODES: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_CONTENT',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

interface ProblemParts {
  status: number;
  code: string;
  detail: string;
  title?: string | undefined;
  errors?: readonly FieldIssue[];
  extensions?: Readonly<Record<string, unknown>>;
  headers?: Readonly<Record<string, string>>;
}

function build(parts: ProblemParts, correlationId: string): ProblemResponse {
  const extensions = Object.fromEntries(
    Object.entries(parts.extensions ?? {}).filter(([name]) => !RESERVED_MEMBERS.has(name)),
  );
  return {
    problem: {
      ...extensions,
      type: problemType(parts.code),
      title: parts.title ?? STATUS_CODES[parts.status] ?? 'Error',
      status: parts.status,
      detail: parts.detail,
      code: parts.code,
      errors: [...(parts.errors ?? [])],
      correlationId,
    },
    headers: parts.headers ?? {},
    internal: parts.status >= 500,
  };
}

const INTERNAL: ProblemParts = {
  status: 500,
  code: 'INTERNAL_ERROR',
  detail: 'an unexpected error occurred; it was logged with this correlation id',
};

// A connection failure, timeout or lost serialization race: the same request may well succeed soon.
const DATABASE_UNAVAILABLE: ProblemParts = {
  status: 503,
  code: 'DATABASE_UNAVAILABLE',
  detail: 'the database is busy or unreachable; retry the request',
  headers: { 'retry-after': '1' },
};

function fromHttpStatus(status: number, message: string): ProblemParts {
  if (status >= 500) return { ...INTERNAL, status, code: GENERIC_CODES[status] ?? `HTTP_${status}` };
  return { status, code: GENERIC_CODES[status] ?? `HTTP_${status}`, detail: message };
}

/** Fastify's own client errors (FST_ERR_CTP_BODY_TOO_LARGE …) carry a 4xx `statusCode`. */
function fastifyClientError(error: unknown): { statusCode: number; message: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  const isFastify = typeof code === 'string' && code.startsWith('FST_');
  if (!isFastify || typeof statusCode !== 'number' || statusCode < 400 || statusCode > 499) return undefined;
  return { statusCode, message: error.message };
}

function problemParts(error: unknown): ProblemParts {
  const contractError = domainErrorOf(error);
  if (contractError !== undefined) return problemParts(contractError);
  if (error instanceof ApiError) {
    const { status, code, detail, title, errors, extensions, headers } = error;
    return { status, code, detail, title, errors, extensions, headers };
  }
  if (error instanceof z.ZodError) {
    const errors = zodIssues(error);
    return {
      status: 400,
      code: 'VALIDATION_FAILED',
      title: 'Invalid request',
      detail: 'the request is invalid',
      errors,
    };
  }
  if (error instanceof LayoutValidationError || error instanceof ValuesValidationError) {
    const detail = (error.message.split('\n')[0] ?? error.code).replace(/:$/, '');
    return { status: 422, code: error.code, detail, errors: error.issues };
  }
  if (error instanceof DatabaseError && error.retryable) return DATABASE_UNAVAILABLE;
  if (error instanceof HttpException) return fromHttpStatus(error.getStatus(), error.message);
  const client = fastifyClientError(error);
  if (client !== undefined) return fromHttpStatus(client.statusCode, client.message);
  return INTERNAL;
}

/**
 * Maps any thrown value to an RFC 9457 problem: {@link ApiError} as it says; zod errors → 400
 * VALIDATION_FAILED naming each field; libs/otp layout/values validation errors → 422 with their
 * issues; retryable database errors → 503 DATABASE_UNAVAILABLE with Retry-After; Nest/Fastify
 * HTTP errors → their status; anything else → 500 INTERNAL_ERROR whose detail
 * reveals nothing (the caller logs the error with the correlation id).
 */
export function problemFromError(error: unknown, correlationId: string): ProblemResponse {
  return build(problemParts(error), correlationId);
}
