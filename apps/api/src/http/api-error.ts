/** One problem with one input, named by its path (`body.fields[2].length`, `query.state`). */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** Optional parts of an {@link ApiError}. */
export interface ApiErrorExtras {
  /** Field-level problems (the problem's `errors` member). */
  readonly errors?: readonly FieldIssue[];
  /**
   * Extension members of the problem (RFC 9457 §3.2), e.g. `{ deviceId }` for CHIP_ALREADY_BOUND.
   * Never secrets. Members named like a standard member are ignored.
   */
  readonly extensions?: Readonly<Record<string, unknown>>;
  /** Response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Short summary of the problem type; defaults to the HTTP reason phrase of `status`. */
  readonly title?: string;
  readonly cause?: unknown;
}

/**
 * A failure the API answers with a specific status and a stable `code`, as an RFC 9457 problem.
 * Services throw it (or a subclass) for expected outcomes: `new ApiError(409, 'CHIP_ALREADY_BOUND',
 * 'chip … is bound to another device', { extensions: { deviceId } })`. `detail` is shown to the
 * client verbatim, so it must never contain a secret or internal detail.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: readonly FieldIssue[];
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly title: string | undefined;

  constructor(status: number, code: string, detail: string, extras: ApiErrorExtras = {}) {
    super(detail, extras.cause === undefined ? undefined : { cause: extras.cause });
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`ApiError status must be 400..599, got ${status}`);
    }
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.errors = extras.errors ?? [];
    this.extensions = extras.extensions ?? {};
    this.headers = extras.headers ?? {};
    this.title = extras.title;
  }

  /** The client-facing explanation (the problem's `detail`). */
  get detail(): string {
    return this.message;
  }
}
