import { OtpError } from '#ingrain/otp';

/** Stable codes of every error the simulator throws (documented in docs/simulator.md). */
export type SimulatorErrorCode =
  | 'SIM_INVALID_OPTIONS'
  | 'SIM_SOCAT_MISSING'
  | 'SIM_PTY_FAILED'
  | 'SIM_PTY_TIMEOUT'
  | 'SIM_PORT_OPEN_FAILED'
  | 'SIM_STATE_INVALID'
  | 'SIM_STATE_MISMATCH'
  | 'SIM_CLI_USAGE';

/** An error of the device simulator: a stable `code`, a message naming the option or step, the `cause`. */
export class SimulatorError extends OtpError {
  declare readonly code: SimulatorErrorCode;

  constructor(code: SimulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
