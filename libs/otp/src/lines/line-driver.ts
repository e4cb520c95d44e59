import { OtpError } from '../errors.js';
import { type ModemLines } from '../transport/index.js';

/**
 * What drives a fixture's control lines. Implementations: the adapter's own modem lines plus
 * Linux GPIO lines (`PortLineDriver`), and the simulator's control socket (`SimLineDriver`).
 */
export interface LineDriver {
  /** Sets DTR and RTS together (asserted = true). */
  setModemLines(lines: ModemLines): Promise<void>;
  /** Holds a BREAK for `durationMs`. */
  sendBreak(durationMs: number): Promise<void>;
  /** Drives GPIO lines (offset → high) and keeps them driven until the next call or `close`. */
  setGpio(levels: ReadonlyMap<number, boolean>): Promise<void>;
  /** Releases what the driver holds. Never throws. */
  close(): Promise<void>;
}

/** A line could not be driven (no GPIO chip configured, gpioset failed, the simulator refused). */
export class LineDriverError extends OtpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LINE_DRIVER_FAILED', message, options);
  }
}
