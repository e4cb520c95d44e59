import { OtpError } from '#ingrain/otp';

/** Stable codes of {@link StationError} (docs/station.md, "Station worker"). */
export type StationErrorCode =
  /** The worker's environment or flags are invalid (the message names the variable or flag). */
  | 'STATION_CONFIG_INVALID'
  /**
   * The API refused the station's token at start (401, 403, a token of another role), or the token is
   * another station's or another line's: the worker does not start (exit 2).
   */
  | 'STATION_CREDENTIALS_REJECTED'
  /**
   * The sealing key the API has registered for this station is not the one in its key file, or
   * there is none (docs/sealing.md): the worker does not start.
   */
  | 'STATION_SEALING_KEY_MISMATCH'
  /** A job payload does not parse: the job is refused for good. */
  | 'STATION_JOB_INVALID'
  /** The API did not answer (network, timeout, 5xx, 429): try again later. */
  | 'STATION_API_UNREACHABLE'
  /**
   * The TLS connection to the API failed: its certificate is not trusted (INGRAIN_API_CA_FILE), out
   * of date or for another host, or the handshake failed. Stops the start (docs/tls.md); a job meeting
   * it later is delayed, as for an unreachable API.
   */
  | 'STATION_API_TLS_FAILED'
  /** The API refused a request for a reason a retry cannot fix (4xx other than 408/429). */
  | 'STATION_API_REJECTED'
  /** The API answered something the station cannot parse (a version mismatch). */
  | 'STATION_API_INVALID_RESPONSE'
  /** The chip in the fixture is not the one the identity was claimed for (swapped mid-job). */
  | 'STATION_CHIP_SWAPPED'
  /** The fixture holds a chip whose product ID names no known family: it cannot be identified. */
  | 'STATION_CHIP_UNKNOWN'
  /** The result spool could not be written or read. */
  | 'STATION_SPOOL_IO'
  /** The station is shutting down: the job goes back to the queue untouched past its last step. */
  | 'STATION_SHUTTING_DOWN';

/** An error of the station worker. Messages name ids, states and codes; never a secret or image byte. */
export class StationError extends OtpError {
  constructor(
    override readonly code: StationErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** An HTTP failure of the station API adapter: the status and the API's problem code, when there was one. */
export class StationApiError extends StationError {
  constructor(
    code:
      'STATION_API_UNREACHABLE' | 'STATION_API_TLS_FAILED' | 'STATION_API_REJECTED' | 'STATION_API_INVALID_RESPONSE',
    message: string,
    readonly status: number | undefined,
    readonly problemCode: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }

  /**
   * True when the same request may succeed later (the API was down, slow or overloaded; a TLS
   * failure may be a certificate being rotated: a job is never failed for good over it).
   */
  get transient(): boolean {
    return this.code === 'STATION_API_UNREACHABLE' || this.code === 'STATION_API_TLS_FAILED';
  }

  /**
   * True when the API refused the caller rather than the request (401: no valid token; 403: not
   * allowed): a verdict on the station's credentials, not on the device or the report.
   */
  get credentialsRefused(): boolean {
    return this.status === 401 || this.status === 403;
  }
}
