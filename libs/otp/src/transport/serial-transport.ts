import { SerialPort } from 'serialport';
import { z } from 'zod';
import { ByteQueue } from './byte-queue.js';
import { type DeviceTransport } from './device-transport.js';
import { TransportArgumentError, TransportClosedError, TransportIoError } from './errors.js';
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
}

const optionsSchema = z.object({
  path: z.string().min(1),
  baudRate: z.number().int().positive(),
  parity: z.enum(['even', 'none', 'odd']).default('even'),
});

/**
 * `DeviceTransport` over a real serial port (the `serialport` package): 8 data bits, 1 stop bit,
 * even parity by default. Received chunks go into a `ByteQueue`, so reads resolve as soon as the
 * bytes are there.
 */
export class SerialTransport implements DeviceTransport {
  private readonly incoming = new ByteQueue();
  private closed = false;

  private constructor(
    private readonly port: SerialPort,
    readonly baudRate: number,
    /** What the OS said to the request for low latency made at open (see `requestLowLatency`). */
    readonly lowLatency: LowLatencyOutcome,
  ) {
    port.on('data', (chunk: Buffer) => this.incoming.push(chunk));
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
    const { path, baudRate, parity } = parsed.data;
    const port = new SerialPort({ path, baudRate, parity, dataBits: 8, stopBits: 1, autoOpen: false });
    await new Promise<void>((resolve, reject) => {
      port.open((error) => (error ? reject(diagnosePortOpenFailure(path, error)) : resolve()));
    });
    return new SerialTransport(port, baudRate, requestLowLatency(path));
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
