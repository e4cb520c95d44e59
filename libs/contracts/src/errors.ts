/** Stable codes of {@link ContractError} (docs/errors.md). */
export type ContractErrorCode =
  /** A station report body that does not parse (one issue per field). */
  | 'STATION_REPORT_INVALID'
  /** The device's state does not allow the action (details: `{ state, action }`). */
  | 'DEVICE_STATE_CONFLICT'
  /** Release refused: a station reported bytes written to the bound chip. */
  | 'DEVICE_RELEASE_REFUSED'
  /** A provisioning job payload that does not parse (one issue per member at fault). */
  | 'JOB_PAYLOAD_INVALID'
  /** A production line that cannot name a BullMQ queue. */
  | 'JOB_LINE_INVALID'
  /** The sealed secrets of a claim do not parse or do not match its secret ranges (docs/sealing.md). */
  | 'CLAIM_SECRETS_INVALID';

/** One problem with one input, named by its path (`body.otpData`, `deviceId`). */
export interface ContractIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * A value broke one of the shared contracts (a station report, a job payload, the device state
 * machine). Framework-free: each app maps it at its edge (the API to a problem response, the
 * station to a job outcome). Messages and issues name fields, states and rules, never a submitted
 * value (it may be secret).
 */
export class ContractError extends Error {
  /** Field-level problems (empty when the error is not about fields). */
  readonly issues: readonly ContractIssue[];
  /** Facts about the refusal a client may act on, e.g. `{ state, action }`. Never secrets. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    readonly code: ContractErrorCode,
    message: string,
    options: {
      readonly issues?: readonly ContractIssue[];
      readonly details?: Readonly<Record<string, unknown>>;
      readonly cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.issues = options.issues ?? [];
    this.details = options.details ?? {};
  }
}
