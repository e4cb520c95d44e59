import { SerialPort } from 'serialport';
import { z } from 'zod';
import { ByteQueue } from './byte-queue.js';
import { type DeviceTransport } from './device-transport.js';
import {
  TransportArgumentError,
  TransportClosedError,
  TransportIoError,
  TransportLineError,
  TransportSettingsError,
} from './errors.js';
import {
  isPseudoTerminal,
  type LineSettings,
  parseSttyAll,
  settingsProblems,
  sttyOnDescriptor,
} from './line-settings.js';
import { ParmrkDecoder } from './parmrk-decoder.js';
import { type LowLatencyOutcome, requestLowLatency } from './low-latency.js';
import { diagnosePortOpenFailure } from './port-open-error.js';

/** Options of `SerialTransport.open`. */
export interface SerialTransportOptions {
  /** Device path, e.g. /dev/ttyUSB0 or a pty such as /dev/pts/7. */
  readonly path: string;
  /** 1200–115200 are the rates AN3155 §2 tests; others are passed through. */
  readonly baudRate: number;
  /**
   * 'even' by default: the ROM bootloader speaks 8E1 (AN3155 §2). Linux ptys silently drop the
   * parity bit (docs/hardware.md §pty), so the same setting also works against a simulator on a pty.
   */
  readonly parity?: 'even' | 'none' | 'odd';
  /**
   * Read the settings back after open and refuse a port that does not hold them (default true).
   * Needs `stty` (coreutils) and a binding that exposes its descriptor (the Linux binding does).
   */
  readonly verifySettings?: boolean;
}

/** DTR and RTS as the modem control bits (TIOCM_DTR / TIOCM_RTS): true = asserted. */
export interface ModemLines {
  readonly dtr: boolean;
  readonly rts: boolean;
}

const optionsSchema = z.object({
  path: z.string().min(1),
  baudRate: z.number().int().positive(),
  parity: z.enum(['even', 'none', 'odd']).default('even'),
  verifySettings: z.boolean().default(true),
});

/** Linux raises DTR and RTS on every open of a tty (tty_port_block_til_ready); nothing can stop it. */
const MODEM_LINES_AFTER_OPEN: ModemLines = { dtr: true, rts: true };

/**
 * `DeviceTransport` over a real serial port (the `serialport` package): 8 data bits, 1 stop bit,
 * even parity by default. Received chunks go into a `ByteQueue`, so reads resolve as soon as the
 * bytes are there.
 */
export class SerialTransport implements DeviceTransport {
  private readonly incoming = new ByteQueue();
  private closed = false;
  /** Set when the kernel marks flagged bytes (PARMRK): received chunks are unescaped. */
  private decoder: ParmrkDecoder | undefined;
  private modemLines: ModemLines = MODEM_LINES_AFTER_OPEN;
  /**
   * serialport's `set()` also rewrites the ASYNC_LOW_LATENCY flag (absent = off): every call
   * here passes this value, so a line change never undoes it. The station never sets it (it lowers
   * an FTDI's latency timer through sysfs instead: `lowLatency`, docs/decisions.md).
   */
  asyncLowLatency = false;
  /** The port's settings as read back after open (undefined when not verified). */
  lineSettings: LineSettings | undefined;
  /** Whether the port is a pty (no parity, no modem lines: docs/hardware.md §pty). */
  pseudoTerminal = false;

  private constructor(
    private readonly port: SerialPort,
    readonly baudRate: number,
    /** What the OS said to the request for low latency made at open (see `requestLowLatency`). */
    readonly lowLatency: LowLatencyOutcome,
  ) {
    port.on('data', (chunk: Buffer) => this.receive(chunk));
    port.on('error', (error: Error) => this.incoming.fail(new TransportIoError('serial port error', { cause: error })));
    port.on('close', () => this.markClosed('serial port closed'));
  }

  /**
   * Opens the port. Rejects with `TransportArgumentError` for invalid options and with
   * `PortOpenError` when the OS cannot open or configure it (the reason: no such port, permission,
   * busy with its holder; the error names the path only). Asks the OS for low latency on the way
   * (`lowLatency` says what it answered).
   */
  static async open(options: SerialTransportOptions): Promise<SerialTransport> {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) throw new TransportArgumentError(`invalid serial options: ${z.prettifyError(parsed.error)}`);
    const { path, baudRate, parity, verifySettings } = parsed.data;
    // hupcl false: closing the port leaves DTR and RTS as they are (a fixture's lines are the
    // sequences' business, docs/fixtures.md). Opening still raises them: a kernel rule.
    const port = new SerialPort({ path, baudRate, parity, dataBits: 8, stopBits: 1, hupcl: false, autoOpen: false });
    await new Promise<void>((resolve, reject) => {
      port.open((error) => (error ? reject(diagnosePortOpenFailure(path, error)) : resolve()));
    });
    const transport = new SerialTransport(port, baudRate, requestLowLatency(path));
    try {
      transport.pseudoTerminal = await isPseudoTerminal(path);
      const fd = descriptorOf(port);
      if (verifySettings && fd !== undefined) await transport.checkSettings(fd, path, parity);
    } catch (error) {
      await transport.close().catch(() => undefined);
      throw error;
    }
    return transport;
  }

  /**
   * Turns on input parity checking with marking (INPCK PARMRK -IGNPAR -ISTRIP; serialport sets
   * IGNPAR and no INPCK, so a bad byte would pass unnoticed) and reads every setting back.
   */
  private async checkSettings(fd: number, path: string, parity: 'even' | 'none' | 'odd'): Promise<void> {
    if (parity !== 'none') {
      await sttyOnDescriptor(fd, ['inpck', '-ignpar', 'parmrk', '-istrip']);
      this.decoder = new ParmrkDecoder();
    }
    const settings = parseSttyAll(await sttyOnDescriptor(fd, ['-a']));
    this.lineSettings = settings;
    const problems = settingsProblems(settings, {
      baudRate: this.baudRate,
      parity,
      pseudoTerminal: this.pseudoTerminal,
    });
    if (problems.length > 0)
      throw new TransportSettingsError(`serial port ${path} does not hold its settings: ${problems.join('; ')}`);
  }

  /**
   * Sets DTR and RTS together (serialport's `set()` would otherwise default the one not given to
   * asserted). BREAK stays off. Rejects with `TransportIoError` when the port has no modem lines
   * (a pty: ENOTTY) or the OS refuses.
   */
  async setModemLines(lines: ModemLines): Promise<void> {
    await this.applyLines(lines, false);
    this.modemLines = lines;
  }

  /** Holds a BREAK on TX for `durationMs`, DTR and RTS unchanged. */
  async sendBreak(durationMs: number): Promise<void> {
    await this.applyLines(this.modemLines, true);
    try {
      await new Promise((resolve) => setTimeout(resolve, durationMs));
    } finally {
      await this.applyLines(this.modemLines, false);
    }
  }

  private applyLines(lines: ModemLines, brk: boolean): Promise<void> {
    if (this.closed) return Promise.reject(new TransportClosedError());
    const flags = { dtr: lines.dtr, rts: lines.rts, brk, lowLatency: this.asyncLowLatency };
    return new Promise<void>((resolve, reject) => {
      this.port.set(flags, (error) =>
        error ? reject(new TransportIoError('cannot set the modem lines', { cause: error })) : resolve(),
      );
    });
  }

  private receive(chunk: Buffer): void {
    if (this.decoder === undefined) {
      this.incoming.push(chunk);
      return;
    }
    const decoded = this.decoder.decode(chunk);
    if (decoded.flagged === undefined) {
      this.incoming.push(decoded.bytes);
      return;
    }
    this.incoming.push(decoded.bytes.subarray(0, decoded.flaggedAt));
    this.incoming.interrupt(new TransportLineError(decoded.flagged));
    this.incoming.push(decoded.bytes.subarray(decoded.flaggedAt));
  }

  /** Resolves once the OS accepted the bytes (not once they left the wire). */
  write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new TransportClosedError());
    const buffer = Buffer.from(bytes); // a copy: the caller may reuse its array at once
    return new Promise<void>((resolve, reject) => {
      this.port.write(buffer, (error) =>
        error ? reject(new TransportIoError('serial write failed', { cause: error })) : resolve(),
      );
    });
  }

  read(lengthBytes: number, timeoutMs: number): Promise<Uint8Array> {
    return this.incoming.read(lengthBytes, timeoutMs);
  }

  discardInput(): void {
    this.incoming.discard();
  }

  /** Closes the port; pending reads reject with `TransportClosedError`. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.markClosed('transport is closed');
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve, reject) => {
      this.port.close((error) =>
        error ? reject(new TransportIoError('serial close failed', { cause: error })) : resolve(),
      );
    });
  }

  private markClosed(message: string): void {
    this.closed = true;
    this.incoming.fail(new TransportClosedError(message));
  }
}

/** The Linux/macOS binding's file descriptor, if this binding exposes one. */
function descriptorOf(port: SerialPort): number | undefined {
  const fd = (port.port as { fd?: unknown } | undefined)?.fd;
  return typeof fd === 'number' ? fd : undefined;
}
