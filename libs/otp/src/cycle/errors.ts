import { OtpError } from '../errors.js';

/** runProvisioningCycle was called with inconsistent options (a programming error). */
export class CycleArgumentError extends OtpError {
  constructor(message: string) {
    super('CYCLE_INVALID_ARGUMENT', message);
  }
}

/** The connected chip is not the one expected (unknown PID, other family, missing commands). */
export class WrongDeviceError extends OtpError {
  constructor(
    code: 'WRONG_DEVICE' | 'BOOTLOADER_COMMAND_UNSUPPORTED',
    message: string,
    readonly productId: number,
  ) {
    super(code, message);
  }
}
