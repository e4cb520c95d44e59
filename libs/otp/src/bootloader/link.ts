import { TransportError, TransportLineError, TransportTimeoutError, type DeviceTransport } from '../transport/index.js';
import { ACK, BUSY, NACK } from './an3155.js';
import {
  BootloaderLineError,
  BootloaderLinkLostError,
  BootloaderNackError,
  BootloaderTimeoutError,
  type ProtocolStage,
  UnexpectedByteError,
} from './errors.js';
import { type BootloaderTiming } from './timing.js';

/** Bytes moved over the wire and replies waited for, since the client was created. */
export interface WireStats {
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Frames sent, each followed by a wait for the device's answer. */
  readonly roundTrips: number;
}

/**
 * The byte-level half of the client: sends frames, waits for ACK/NACK/BUSY, reads replies, maps
 * transport failures to bootloader errors carrying the stage, and counts wire bytes.
 */
export class BootloaderLink {
  private sent = 0;
  private received = 0;
  private trips = 0;

  constructor(
    private readonly transport: DeviceTransport,
    readonly timing: BootloaderTiming,
  ) {}

  get stats(): WireStats {
    return { bytesSent: this.sent, bytesReceived: this.received, roundTrips: this.trips };
  }

  /** Sends a frame. Rejects with `BootloaderLinkLostError` when the transport fails. */
  async send(frame: Uint8Array, stage: ProtocolStage, opcode: number | undefined): Promise<void> {
    try {
      await this.transport.write(frame);
    } catch (error) {
      throw this.mapTransportError(error, stage, opcode, 0);
    }
    this.sent += frame.length;
    this.trips += 1;
  }

  /** Reads exactly `lengthBytes` reply bytes; a timeout becomes `BootloaderTimeoutError`. */
  async receive(
    lengthBytes: number,
    timeoutMs: number,
    stage: ProtocolStage,
    opcode: number | undefined,
  ): Promise<Uint8Array> {
    try {
      const bytes = await this.transport.read(lengthBytes, timeoutMs);
      this.received += bytes.length;
      return bytes;
    } catch (error) {
      throw this.mapTransportError(error, stage, opcode, timeoutMs);
    }
  }

  /**
   * Waits for the ACK that ends a stage. BUSY (0x76) extends the wait up to the busy budget.
   * Throws `BootloaderNackError` on NACK, `UnexpectedByteError` on any other byte,
   * `BootloaderTimeoutError` when nothing (or only BUSY) arrives in time.
   */
  async expectAck(stage: ProtocolStage, opcode: number | undefined, timeoutMs: number): Promise<void> {
    let busyDeadline: number | undefined;
    let waitMs = timeoutMs;
    for (;;) {
      const [byte] = await this.receive(1, waitMs, stage, opcode);
      if (byte === ACK) return;
      if (byte === NACK) throw new BootloaderNackError(stage, opcode);
      if (byte !== BUSY) throw new UnexpectedByteError(stage, opcode, byte ?? -1);
      busyDeadline ??= performance.now() + this.timing.busyTimeoutMs;
      const remainingMs = busyDeadline - performance.now();
      if (remainingMs <= 0)
        throw new BootloaderTimeoutError(stage, opcode, this.timing.busyTimeoutMs, 0, { busy: true });
      waitMs = remainingMs + this.timing.replyMarginMs;
    }
  }

  /** One byte if the device sends one within `timeoutMs`, else undefined. Link failures still throw. */
  async receiveByteOrNothing(timeoutMs: number, stage: ProtocolStage): Promise<number | undefined> {
    try {
      const [byte] = await this.receive(1, timeoutMs, stage, undefined);
      return byte;
    } catch (error) {
      if (error instanceof BootloaderTimeoutError) return undefined;
      throw error;
    }
  }

  /** Reads until the line stays silent for `quietMs`; returns the last byte seen (undefined if none). */
  async drainUntilQuiet(quietMs: number): Promise<number | undefined> {
    let last: number | undefined;
    for (;;) {
      const byte = await this.receiveByteOrNothing(quietMs, 'sync');
      if (byte === undefined) return last;
      last = byte;
    }
  }

  /** Drops buffered input (stale replies) before a fresh exchange. */
  discardInput(): void {
    this.transport.discardInput();
  }

  private mapTransportError(error: unknown, stage: ProtocolStage, opcode: number | undefined, timeoutMs: number) {
    if (error instanceof TransportTimeoutError) {
      this.received += error.received.length;
      // Not chained as `cause`: its `received` bytes may be OTP data (secrets must not reach logs).
      return new BootloaderTimeoutError(stage, opcode, timeoutMs, error.received.length);
    }
    if (error instanceof TransportLineError) return new BootloaderLineError(stage, opcode, { cause: error });
    if (error instanceof TransportError) return new BootloaderLinkLostError(stage, opcode, { cause: error });
    return error;
  }
}
