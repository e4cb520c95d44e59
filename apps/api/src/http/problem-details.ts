import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { AppError, type FieldIssue } from '../errors/app-error.js';
import { ERROR_CATALOGUE } from '../errors/error-catalogue.js';
import { responseModel } from './api-models.js';
import { appErrorOf, frameworkStatusOf, genericCode } from './library-errors.js';

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

const INTERNAL_DETAIL = 'an unexpected error occurred; it was logged with this correlation id';

const INTERNAL: ProblemParts = { status: 500, code: 'INTERNAL_ERROR', detail: INTERNAL_DETAIL };

/** The parts of an AppError: status and title from the catalogue (a code with no status is internal). */
function fromAppError(error: AppError): ProblemParts {
  const { status, title } = ERROR_CATALOGUE[error.code];
  if (status === null) return INTERNAL;
  const { code, detail, errors, extensions, headers } = error;
  return { status, code, title, detail, errors, extensions, headers };
}

/** A framework's HTTP error: its generic code; a 5xx says nothing more than an internal error. */
function fromHttpStatus(status: number, message: string): ProblemParts {
  return { status, code: genericCode(status), detail: status >= 500 ? INTERNAL_DETAIL : message };
}

function problemParts(error: unknown): ProblemParts {
  if (error instanceof AppError) return fromAppError(error);
  const mapped = appErrorOf(error);
  if (mapped !== undefined) return fromAppError(mapped);
  const framework = frameworkStatusOf(error);
  if (framework !== undefined) return fromHttpStatus(framework.status, framework.message);
  return INTERNAL;
}

/**
 * Maps any thrown value to an RFC 9457 problem: an {@link AppError} with the status and title its
 * code has in the error catalogue; library, database and zod errors as http/library-errors.ts maps
 * them; Nest/Fastify HTTP errors with their status and generic code; anything else → 500
 * INTERNAL_ERROR whose detail reveals nothing (the caller logs the error with the correlation id).
 */
export function problemFromError(error: unknown, correlationId: string): ProblemResponse {
  return build(problemParts(error), correlationId);
}
