import { OtpError } from '../errors.js';

/**
 * Where in an AN3155 exchange something went wrong: the initial 0x7F ('sync'), the command byte
 * pair, the address frame, the Read Memory length, the Write Memory data block, or the reply bytes
 * a command returns after its first ACK ('reply').
 */
export type ProtocolStage = 'sync' | 'command' | 'address' | 'length' | 'data' | 'reply';

const hex8 = (value: number): string => `0x${value.toString(16).padStart(2, '0')}`;

/**
 * Base class of the failures caused by the device or the link (as opposed to caller mistakes).
 * After one of these the client is desynchronised and re-synchronises before its next command.
 */
export class BootloaderError extends OtpError {
  constructor(
    code: string,
    message: string,
    /** The protocol stage the error happened at. */
    readonly stage: ProtocolStage,
    /** The command being executed, if any. */
    readonly opcode: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

const during = (stage: ProtocolStage, opcode: number | undefined): string =>
  opcode === undefined ? `at the ${stage} stage` : `at the ${stage} stage of command ${hex8(opcode)}`;

/** The device answered NACK (0x1F). */
export class BootloaderNackError extends BootloaderError {
  constructor(stage: ProtocolStage, opcode: number | undefined) {
    super('BOOTLOADER_NACK', `device answered NACK ${during(stage, opcode)}`, stage, opcode);
  }
}

/**
 * The device did not answer in time (also: it kept answering BUSY past the busy budget).
 * Carries how many bytes did arrive, never the bytes themselves (they may be OTP data).
 */
export class BootloaderTimeoutError extends BootloaderError {
  constructor(
    stage: ProtocolStage,
    opcode: number | undefined,
    readonly timeoutMs: number,
    readonly receivedBytes: number,
    options?: { busy?: boolean },
  ) {
    const what = options?.busy === true ? 'device stayed BUSY' : 'no complete answer';
    super('BOOTLOADER_TIMEOUT', `${what} within ${timeoutMs} ms ${during(stage, opcode)}`, stage, opcode);
  }
}

/** The device answered a byte that is neither ACK, NACK nor BUSY where one of those was due. */
export class UnexpectedByteError extends BootloaderError {
  constructor(
    stage: ProtocolStage,
    opcode: number | undefined,
    readonly byte: number,
  ) {
    super('BOOTLOADER_UNEXPECTED_BYTE', `device answered ${hex8(byte)} ${during(stage, opcode)}`, stage, opcode);
  }
}

/** A reply had an impossible shape (a length byte out of range, a wrong count). */
export class BootloaderBadReplyError extends BootloaderError {
  constructor(stage: ProtocolStage, opcode: number | undefined, detail: string) {
    super('BOOTLOADER_BAD_REPLY', `malformed reply ${during(stage, opcode)}: ${detail}`, stage, opcode);
  }
}

/** Neither 0x7F nor the bounded re-synchronisation brought the device to a known state. */
export class BootloaderSyncFailedError extends BootloaderError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('BOOTLOADER_SYNC_FAILED', `cannot synchronise with the bootloader: ${detail}`, 'sync', undefined, options);
  }
}

/** The transport closed or failed in the middle of an exchange. */
export class BootloaderLinkLostError extends BootloaderError {
  constructor(stage: ProtocolStage, opcode: number | undefined, options: { cause: unknown }) {
    super('BOOTLOADER_LINK_LOST', `link lost ${during(stage, opcode)}`, stage, opcode, options);
  }
}

/** The UART flagged a received byte (parity, framing, BREAK): the reply cannot be trusted. */
export class BootloaderLineError extends BootloaderError {
  constructor(stage: ProtocolStage, opcode: number | undefined, options: { cause: unknown }) {
    super(
      'BOOTLOADER_LINE_ERROR',
      `a received byte had a parity or framing error ${during(stage, opcode)}`,
      stage,
      opcode,
      options,
    );
  }
}

/** A Write Memory request whose address or length breaks the alignment rules. Nothing was sent. */
export class WriteNotAlignedError extends OtpError {
  constructor(message: string) {
    super('WRITE_NOT_ALIGNED', message);
  }
}

/** A call with invalid arguments (address range, length, options) or in the wrong state. Nothing was sent. */
export class BootloaderUsageError extends OtpError {
  constructor(code: 'BOOTLOADER_INVALID_ARGUMENT' | 'BOOTLOADER_NOT_CONNECTED', message: string) {
    super(code, message);
  }
}
