import type { ErrorCode } from './error-catalogue.js';

/** One problem with one input, named by its path (`body.fields[2].length`, `query.state`). */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** Optional parts of an {@link AppError}. */
export interface AppErrorExtras {
  /** Field-level problems (the problem's `errors` member). */
  readonly errors?: readonly FieldIssue[];
  /**
   * Extension members of the problem (RFC 9457 §3.2), e.g. `{ deviceId }` for CHIP_ALREADY_BOUND.
   * Never secrets. Members named like a standard member are ignored.
   */
  readonly extensions?: Readonly<Record<string, unknown>>;
  /** Response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

/**
 * An expected failure of the API, named by a stable code of the error catalogue:
 * `throw new AppError('CHIP_ALREADY_BOUND', 'the chip is bound to device …', { extensions: { deviceId } })`.
 * It carries no HTTP status: the HTTP boundary (apps/api/src/http/problem-details.ts) looks the
 * code up in `ERROR_CATALOGUE` for the status and title. `detail` (the message) is shown to the
 * client verbatim: it names fields, states and rules, never a secret, a submitted value or an
 * internal detail.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly errors: readonly FieldIssue[];
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, detail: string, extras: AppErrorExtras = {}) {
    super(detail, extras.cause === undefined ? undefined : { cause: extras.cause });
    this.name = new.target.name;
    this.code = code;
    this.errors = extras.errors ?? [];
    this.extensions = extras.extensions ?? {};
    this.headers = extras.headers ?? {};
  }

  /** The client-facing explanation (the problem's `detail`). */
  get detail(): string {
    return this.message;
  }
}

/** True when `error` is an {@link AppError} with one of `codes` (any code when none is given). */
export function isAppError(error: unknown, ...codes: readonly ErrorCode[]): error is AppError {
  return error instanceof AppError && (codes.length === 0 || codes.includes(error.code));
}
