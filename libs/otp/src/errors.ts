/**
 * Base class of every error libs/otp throws. `code` is stable and documented in docs/errors.md;
 * messages name the field or protocol stage and never contain secret values.
 */
export class OtpError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
