import { z } from 'zod';
import { BITS_PER_BYTE_8E1, MAX_TRANSFER_BYTES } from './an3155.js';
import { BootloaderUsageError } from './errors.js';

/** Tunables of the client's timeouts (all optional; see the defaults). */
export interface BootloaderTimingOptions {
  /** Line rate used to size timeouts. Default: the transport's rate, else 115200. */
  readonly baudRate?: number;
  /**
   * Added to every wait on top of the bytes' wire time: OS, USB adapter and device latency.
   * Also how long the line must stay silent to count as quiet while re-synchronising. Default 100.
   */
  readonly replyMarginMs?: number;
  /** Programming time budget before a Write Memory's final ACK, per 256 bytes. Default 1000. */
  readonly programTimePer256BytesMs?: number;
  /** How long a stage may keep answering BUSY (0x76) before it times out. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** Bound on re-synchronisation rounds (each sends a burst of 0xFF or a Get Version). Default 32. */
  readonly maxResyncAttempts?: number;
}

const timingSchema = z.object({
  baudRate: z.number().positive().optional(),
  replyMarginMs: z.number().nonnegative().optional(),
  programTimePer256BytesMs: z.number().nonnegative().optional(),
  busyTimeoutMs: z.number().nonnegative().optional(),
  maxResyncAttempts: z.number().int().positive().optional(),
});

/** Resolved timing of one client. */
export class BootloaderTiming {
  readonly baudRate: number;
  readonly replyMarginMs: number;
  readonly programTimePer256BytesMs: number;
  readonly busyTimeoutMs: number;
  readonly maxResyncAttempts: number;
  /** Wire time of one byte in 8E1 (11 bits). */
  readonly byteTimeMs: number;

  /** Throws `BootloaderUsageError` (BOOTLOADER_INVALID_ARGUMENT) for out-of-range options. */
  constructor(raw: BootloaderTimingOptions, transportBaudRate: number | undefined) {
    const parsed = timingSchema.safeParse(raw);
    if (!parsed.success) {
      throw new BootloaderUsageError('BOOTLOADER_INVALID_ARGUMENT', `invalid timing: ${z.prettifyError(parsed.error)}`);
    }
    const options = parsed.data;
    this.baudRate = options.baudRate ?? transportBaudRate ?? 115_200;
    this.replyMarginMs = options.replyMarginMs ?? 100;
    this.programTimePer256BytesMs = options.programTimePer256BytesMs ?? 1000;
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.maxResyncAttempts = options.maxResyncAttempts ?? 32;
    this.byteTimeMs = (BITS_PER_BYTE_8E1 * 1000) / this.baudRate;
  }

  /**
   * How long to wait for a reply when `wireBytes` bytes still have to cross the line (what was just
   * sent plus what is expected back): 1.5 × their wire time (slack for inter-byte gaps) + the margin.
   */
  replyTimeoutMs(wireBytes: number): number {
    return Math.ceil(wireBytes * this.byteTimeMs * 1.5) + this.replyMarginMs;
  }

  /** Extra wait for a Write Memory's final ACK: programming time, scaled to the block size. */
  programTimeMs(lengthBytes: number): number {
    return Math.ceil((this.programTimePer256BytesMs * lengthBytes) / MAX_TRANSFER_BYTES);
  }
}
