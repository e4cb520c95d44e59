import { OtpError } from '../errors.js';

/** Base class of the link failures a `DeviceTransport` raises (the device or the port is at fault). */
export class TransportError extends OtpError {}

/** A read did not complete in time. `received` holds the bytes that did arrive (already consumed). */
export class TransportTimeoutError extends TransportError {
  constructor(
    readonly expectedBytes: number,
    readonly received: Uint8Array,
    readonly timeoutMs: number,
  ) {
    super(
      'TRANSPORT_TIMEOUT',
      `read timed out after ${timeoutMs} ms: ${received.length} of ${expectedBytes} bytes received`,
    );
  }
}

/** The link is closed (locally, by the peer, or because the port went away). */
export class TransportClosedError extends TransportError {
  constructor(message = 'transport is closed', options?: { cause?: unknown }) {
    super('TRANSPORT_CLOSED', message, options);
  }
}

/** The OS reported an I/O error on the port (open, write or read). Subclasses may name a finer code. */
export class TransportIoError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }, code = 'TRANSPORT_IO') {
    super(code, message, options);
  }
}

/**
 * The UART flagged a received byte: a parity error, a framing error or a BREAK (the kernel marks
 * them with PARMRK, see `SerialTransport`). The byte's value is not kept (it may be OTP data).
 */
export class TransportLineError extends TransportError {
  constructor(readonly condition: 'parity-or-framing' | 'break') {
    super(
      'TRANSPORT_LINE_ERROR',
      condition === 'break'
        ? 'the line received a BREAK condition'
        : 'a received byte had a parity or framing error (wrong baud rate, noise, or an adapter without even parity)',
    );
  }
}

/**
 * The port's settings, read back after open, are not the ones asked for (e.g. an adapter that
 * cannot do even parity). The message names the setting.
 */
export class TransportSettingsError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRANSPORT_SETTINGS_MISMATCH', message, options);
  }
}

/** A second read was started while one was still pending (a programming error in the caller). */
export class TransportBusyError extends OtpError {
  constructor() {
    super('TRANSPORT_BUSY', 'a read is already pending on this transport');
  }
}

/** Invalid arguments to a transport call (negative length, bad timeout, bad port options). */
export class TransportArgumentError extends OtpError {
  constructor(message: string) {
    super('TRANSPORT_INVALID_ARGUMENT', message);
  }
}
