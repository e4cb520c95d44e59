import { ByteQueue } from './byte-queue.js';
import { type DeviceTransport } from './device-transport.js';
import { TransportClosedError } from './errors.js';

/** The shared state of one in-process link: a queue per direction. */
interface MemoryLinkState {
  closed: boolean;
  readonly queues: readonly [ByteQueue, ByteQueue];
}

/**
 * One end of an in-process duplex link (see `createMemoryLink`). Bytes written on one end arrive,
 * copied, at the other end's read side; closing either end closes both, like a hang-up.
 */
export class MemoryTransport implements DeviceTransport {
  private constructor(
    private readonly link: MemoryLinkState,
    private readonly incoming: ByteQueue,
    private readonly outgoing: ByteQueue,
  ) {}

  /** @see createMemoryLink */
  static createPair(): [MemoryTransport, MemoryTransport] {
    const link: MemoryLinkState = { closed: false, queues: [new ByteQueue(), new ByteQueue()] };
    const [toA, toB] = link.queues;
    return [new MemoryTransport(link, toA, toB), new MemoryTransport(link, toB, toA)];
  }

  /** Delivers a copy of `bytes` to the other end. Rejects with `TransportClosedError` once closed. */
  write(bytes: Uint8Array): Promise<void> {
    if (this.link.closed) return Promise.reject(new TransportClosedError());
    this.outgoing.push(bytes.slice());
    return Promise.resolve();
  }

  read(lengthBytes: number, timeoutMs: number): Promise<Uint8Array> {
    return this.incoming.read(lengthBytes, timeoutMs);
  }

  discardInput(): void {
    this.incoming.discard();
  }

  /** Closes both ends: pending and later reads on either side reject with `TransportClosedError`. */
  close(): Promise<void> {
    if (!this.link.closed) {
      this.link.closed = true;
      this.incoming.fail(new TransportClosedError('transport is closed'));
      this.outgoing.fail(new TransportClosedError('peer closed the link'));
    }
    return Promise.resolve();
  }
}

/** Creates a connected pair of in-process transports: what one end writes, the other end reads. */
export function createMemoryLink(): [MemoryTransport, MemoryTransport] {
  return MemoryTransport.createPair();
}
