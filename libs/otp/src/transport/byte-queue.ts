import {
  TransportArgumentError,
  TransportBusyError,
  TransportClosedError,
  type TransportError,
  TransportTimeoutError,
} from './errors.js';

interface PendingRead {
  readonly lengthBytes: number;
  readonly timeoutMs: number;
  readonly resolve: (bytes: Uint8Array) => void;
  readonly reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/** Chunks are dropped from the front lazily; the array is compacted once this many are consumed. */
const COMPACT_AFTER_CHUNKS = 64;

/**
 * Receive buffer shared by the transports: incoming chunks are kept as they arrive (no
 * concatenation) and copied out once per read, so a read of n bytes costs O(n). A pending read is
 * resolved synchronously from `push` as soon as enough bytes are there: no timer or polling sits
 * in the hot path; a timer exists only while a read waits, for its timeout.
 */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private firstChunk = 0;
  private offsetInFirst = 0;
  private availableBytes = 0;
  private pending: PendingRead | undefined;
  private failure: TransportError | undefined;
  /** A one-off error (a flagged byte) for the pending read, or the next one. */
  private interruption: TransportError | undefined;

  /** Bytes received and not yet read. */
  get length(): number {
    return this.availableBytes;
  }

  /** Appends received bytes (kept by reference: the caller must not reuse the buffer). */
  push(bytes: Uint8Array): void {
    if (this.failure !== undefined || bytes.length === 0) return;
    this.chunks.push(bytes);
    this.availableBytes += bytes.length;
    const pending = this.pending;
    if (pending !== undefined && this.availableBytes >= pending.lengthBytes) {
      this.settle(pending);
      pending.resolve(this.take(pending.lengthBytes));
    }
  }

  /** Reads exactly `lengthBytes` (see `DeviceTransport.read`). */
  read(lengthBytes: number, timeoutMs: number): Promise<Uint8Array> {
    if (!Number.isInteger(lengthBytes) || lengthBytes < 0) {
      return Promise.reject(new TransportArgumentError(`read length must be a whole number ≥ 0, got ${lengthBytes}`));
    }
    if (!(timeoutMs >= 0)) {
      return Promise.reject(new TransportArgumentError(`read timeout must be ≥ 0 ms, got ${timeoutMs}`));
    }
    if (this.pending !== undefined) return Promise.reject(new TransportBusyError());
    const interruption = this.interruption;
    if (interruption !== undefined) {
      this.interruption = undefined;
      return Promise.reject(interruption);
    }
    if (this.availableBytes >= lengthBytes) return Promise.resolve(this.take(lengthBytes));
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<Uint8Array>((resolve, reject) => {
      const pending: PendingRead = { lengthBytes, timeoutMs, resolve, reject, timer: undefined };
      if (Number.isFinite(timeoutMs)) pending.timer = setTimeout(() => this.expire(pending), timeoutMs);
      this.pending = pending;
    });
  }

  /** Drops every buffered byte. */
  discard(): void {
    this.chunks = [];
    this.firstChunk = 0;
    this.offsetInFirst = 0;
    this.availableBytes = 0;
    this.interruption = undefined;
  }

  /**
   * A received byte was flagged bad (parity, framing, BREAK): the bytes buffered so far are dropped
   * (the stream is no longer trustworthy there) and the pending read, or the next read if none
   * waits, rejects with `error`. Unlike `fail`, later reads work again.
   */
  interrupt(error: TransportError): void {
    if (this.failure !== undefined) return;
    this.discard();
    const pending = this.pending;
    if (pending === undefined) {
      this.interruption = error;
      return;
    }
    this.settle(pending);
    pending.reject(error);
  }

  /** Marks the queue failed: the pending read and every later read that cannot be served reject. */
  fail(error: TransportError = new TransportClosedError()): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    const pending = this.pending;
    if (pending !== undefined) {
      this.settle(pending);
      pending.reject(error);
    }
  }

  private expire(pending: PendingRead): void {
    if (this.pending !== pending) return;
    this.settle(pending);
    const received = this.take(this.availableBytes);
    pending.reject(new TransportTimeoutError(pending.lengthBytes, received, pending.timeoutMs));
  }

  private settle(pending: PendingRead): void {
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    this.pending = undefined;
  }

  private take(lengthBytes: number): Uint8Array {
    const out = new Uint8Array(lengthBytes);
    let filled = 0;
    while (filled < lengthBytes) {
      const chunk = this.chunks[this.firstChunk];
      if (chunk === undefined) break;
      const count = Math.min(chunk.length - this.offsetInFirst, lengthBytes - filled);
      out.set(chunk.subarray(this.offsetInFirst, this.offsetInFirst + count), filled);
      filled += count;
      this.offsetInFirst += count;
      if (this.offsetInFirst === chunk.length) this.dropFirstChunk();
    }
    this.availableBytes -= filled;
    return out;
  }

  private dropFirstChunk(): void {
    this.chunks[this.firstChunk] = EMPTY;
    this.firstChunk += 1;
    this.offsetInFirst = 0;
    if (this.firstChunk === this.chunks.length) {
      this.chunks = [];
      this.firstChunk = 0;
    } else if (this.firstChunk >= COMPACT_AFTER_CHUNKS) {
      this.chunks = this.chunks.slice(this.firstChunk);
      this.firstChunk = 0;
    }
  }
}

const EMPTY = new Uint8Array(0);
