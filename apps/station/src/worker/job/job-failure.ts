import { OtpError } from '#ingrain/otp';

/** Why a provisioning job did not complete (the job's failed reason starts with the code). */
export type JobFailureCode =
  /** The chip holds data or locks that can never become the target: quarantined, final. */
  | 'STATION_CHIP_CONFLICT'
  /** Two equal read-backs differed from the target (nothing locked): quarantined, final. */
  | 'STATION_CHIP_VERIFY_FAILED'
  /** The chip is not of the layout's family: quarantined, final. */
  | 'STATION_CHIP_WRONG_DEVICE'
  /** The claimed chip refused Read Memory twice (readout protection): quarantined, final. */
  | 'STATION_CHIP_PROTECTED'
  /** The API judged the read-back and quarantined the device: final. */
  | 'STATION_DEVICE_QUARANTINED'
  /** The device is quarantined or scrapped already: final. */
  | 'STATION_DEVICE_NOT_CLAIMABLE'
  /** The API refused the report (kept in the spool's rejected/ for an operator): final. */
  | 'STATION_REPORT_REJECTED'
  /** The API refused a request for a reason a retry cannot fix (401, 403, 404, …): final. */
  | 'STATION_API_REJECTED'
  /** A claim's sealed secrets do not open with this station's key and binding (docs/sealing.md): final. */
  | 'STATION_SECRETS_UNOPENED'
  /** The link kept failing after the in-job retries: the chip stays in the fixture, resumable. Retried. */
  | 'STATION_CHIP_LINK_ERROR'
  /** The identity is bound to a chip in another fixture, which finishes it. Retried. */
  | 'STATION_IDENTITY_BOUND_ELSEWHERE'
  /** The chip was swapped during the job: nothing was reported or written for it. Retried. */
  | 'STATION_CHIP_SWAPPED';

const FINAL: ReadonlySet<JobFailureCode> = new Set([
  'STATION_CHIP_CONFLICT',
  'STATION_CHIP_VERIFY_FAILED',
  'STATION_CHIP_WRONG_DEVICE',
  'STATION_CHIP_PROTECTED',
  'STATION_DEVICE_QUARANTINED',
  'STATION_DEVICE_NOT_CLAIMABLE',
  'STATION_REPORT_REJECTED',
  'STATION_API_REJECTED',
  'STATION_SECRETS_UNOPENED',
]);

/** A job outcome other than success. `final` ones are never retried (BullMQ UnrecoverableError). */
export class JobFailure extends OtpError {
  readonly final: boolean;

  constructor(
    override readonly code: JobFailureCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.final = FINAL.has(code);
  }
}
