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

/**
 * Two reads of the same thing disagreed, so neither can be trusted: AN3155 replies to Get, Get ID
 * and Read Memory carry no checksum, and a pty has no parity. `BOOTLOADER_INCONSISTENT_REPLY`: two
 * Get ID (or Get) answers differ. `READ_UNSTABLE`: two reads of the UID, OTP data or lock bytes
 * differ. Never final: a cycle ends in 'link-error' and nothing was written because of the reads.
 * Messages name regions and offsets, never byte values.
 */
export class UnconfirmedReadError extends OtpError {
  constructor(code: 'BOOTLOADER_INCONSISTENT_REPLY' | 'READ_UNSTABLE', message: string) {
    super(code, message);
  }
}

/**
 * The chip answers its bootloader (Get / Get ID) but refuses Read Memory at the command stage,
 * twice: readout protection is active (AN3155 §3.4: "if readout protection is active, the
 * bootloader answers NACK"; RM0090 §3.7.3: RDP level 1). Final: nothing can be read, so nothing
 * may be written; the chip cannot be provisioned by this station (docs/station.md, "Protected chips").
 */
export class ReadoutProtectedError extends OtpError {
  constructor(message: string) {
    super('CHIP_READOUT_PROTECTED', message);
  }
}
