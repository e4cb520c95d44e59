/** Stable codes of {@link StationKeyError} (docs/station.md, "Station key pair"). */
export type StationKeyErrorCode =
  /** keygen found a key file already there: it never overwrites one (the API knows the old key). */
  | 'STATION_KEY_EXISTS'
  /** The private key file is group/other accessible, or not owned by the station's user. */
  | 'STATION_KEY_PERMISSIONS'
  /** The key file does not exist. */
  | 'STATION_KEY_NOT_FOUND'
  /** The file is not a P-256 key of the expected kind (or not a regular file). */
  | 'STATION_KEY_INVALID'
  /** Reading or writing the key files failed for another reason (the cause is the fs error). */
  | 'STATION_KEY_IO';

/** A failure of the station's own key pair. Messages name files and modes, never key bytes. */
export class StationKeyError extends Error {
  constructor(
    readonly code: StationKeyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StationKeyError';
  }
}
