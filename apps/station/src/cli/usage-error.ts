/** A command-line mistake: wrong flag, unreadable file, invalid layout or values. Exit code 2. */
export class UsageError extends Error {
  readonly code = 'STATION_USAGE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}
