/**
 * A byte pipe to one device: a serial port in production, an in-process link in tests. Policy
 * (what to send, how to interpret replies) lives above it in the bootloader client.
 *
 * Contract for every implementation:
 * - `write` resolves once the bytes are handed to the OS (or the peer); it proves nothing about the
 *   device having received or acted on them.
 * - `read` resolves with exactly `lengthBytes` bytes, in arrival order, as soon as they are there;
 *   at most one read may be pending at a time.
 * - After `close` (or a link failure) every pending and later `read`/`write` rejects.
 */
export interface DeviceTransport {
  /** Line rate in bits per second when the transport has one (serial); used to size timeouts. */
  readonly baudRate?: number;

  /**
   * Sends `bytes`. Rejects with `TransportClosedError` after close, `TransportIoError` when the OS
   * refuses the write.
   */
  write(bytes: Uint8Array): Promise<void>;

  /**
   * Reads exactly `lengthBytes` bytes. Rejects with `TransportTimeoutError` (carrying the bytes that
   * did arrive; they are consumed) when they are not all there within `timeoutMs`
   * (`Infinity` waits forever), with `TransportClosedError` / `TransportIoError` when the link
   * goes away, and with `TransportBusyError` when another read is already pending.
   */
  read(lengthBytes: number, timeoutMs: number): Promise<Uint8Array>;

  /** Drops every byte received but not yet read (used to re-synchronise). Never throws. */
  discardInput(): void;

  /** Closes the link. Idempotent; never throws for an already-closed link. */
  close(): Promise<void>;
}
