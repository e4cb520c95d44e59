import { ApiError, type ApiErrorExtras } from '../http/api-error.js';

/**
 * Stable codes of {@link DomainError}, each with the HTTP status the API answers it with. The
 * table of meanings and remedies is in docs/api-domain.md ("Error codes").
 */
export const DOMAIN_ERROR_STATUS = {
  /** The device's state does not allow the action (e.g. scrapping a provisioned device). */
  DEVICE_STATE_CONFLICT: 409,
  /** Release refused: a station reported bytes written to the bound chip. */
  DEVICE_RELEASE_REFUSED: 409,
  /** An Idempotency-Key header that is missing or not 1-255 printable ASCII characters. */
  IDEMPOTENCY_KEY_INVALID: 400,
  /** The Idempotency-Key was used before by this requester with a different request body. */
  IDEMPOTENCY_KEY_REUSED: 422,
  /** A serial outside the identifier rule. */
  SERIAL_INVALID: 422,
  /** A product serial prefix outside its rule. */
  SERIAL_PREFIX_INVALID: 422,
  /** A station report that does not parse (field errors in `errors`). */
  STATION_REPORT_INVALID: 400,
  /** A station report carries OTP bytes of secret fields that should have been zeroed. */
  REPORT_SECRET_BYTES_PRESENT: 422,
  /** A station report claims success but lacks what success must show, or has the wrong sizes. */
  REPORT_INCOMPLETE: 422,
  /** Work-order counts that do not add up: a bug, never a client error. */
  WORK_ORDER_COUNTS_INCONSISTENT: 500,
  /** A signed work-order report that does not verify (signature, type, canonical form or schema). */
  WORK_ORDER_REPORT_INVALID: 422,
  /** An identity request whose inputs name generated fields. */
  IDENTITY_INPUT_INVALID: 422,
  /** A stored device record that cannot be re-materialized as recorded (missing or corrupt). */
  IDENTITY_RECORD_INVALID: 500,
  /** A re-materialized secret does not match the commitment recorded at issuance. */
  IDENTITY_SECRET_MISMATCH: 500,
} as const;

export type DomainErrorCode = keyof typeof DOMAIN_ERROR_STATUS;

/**
 * An expected failure of the API's own rules, with a stable `code` and its HTTP status; the
 * problem-details filter answers it like any {@link ApiError}. `detail` (the message) names fields,
 * states and rules, never a secret value.
 */
export class DomainError extends ApiError {
  declare readonly code: DomainErrorCode;

  constructor(code: DomainErrorCode, detail: string, extras: ApiErrorExtras = {}) {
    super(DOMAIN_ERROR_STATUS[code], code, detail, extras);
  }
}
