/** Stable codes of {@link AdminError}. */
export type AdminErrorCode =
  | 'ADMIN_USAGE'
  | 'ADMIN_OUTPUT_CONFLICT'
  | 'ADMIN_OUTPUT_FAILED'
  /** The embedded database's data directory is held by another process (a running API). */
  | 'ADMIN_DATABASE_IN_USE';

/** A failure of the admin CLI itself (the libraries throw their own errors). */
export class AdminError extends Error {
  constructor(
    readonly code: AdminErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
