import { performance } from 'node:perf_hooks';
import { type SimulatedDevice } from '#ingrain/simulator';
import { TimedEmitter, type WireTiming, type WireTimingStats } from '../timing/timed-emitter.js';

/**
 * Connects a device core to a byte pipe: received chunks go into the device, its replies go out
 * at once or, with a {@link WireTiming}, when the wire model allows.
 */
export class DeviceLink {
  private readonly emitter: TimedEmitter | undefined;
  private closed = false;

  constructor(
    private readonly device: SimulatedDevice,
    private readonly send: (bytes: Uint8Array) => void,
    timing?: WireTiming,
  ) {
    this.emitter = timing === undefined ? undefined : new TimedEmitter(timing, send, () => device.epoch);
  }

  /** Bytes from the host, in order. */
  receive(chunk: Uint8Array): void {
    if (this.closed) return;
    const arrivedAtMs = performance.now();
    const replies = [...this.device.receive(chunk)];
    const own = this.device.takeOutput(); // an application started by Go: its banner follows the ACK
    if (own.length > 0) replies.push({ afterByteIndex: chunk.length - 1, bytes: own, programmedBytes: 0 });
    if (this.emitter === undefined) {
      if (replies.length > 0) this.send(Buffer.concat(replies.map((reply) => reply.bytes)));
      return;
    }
    const arrivals = this.emitter.arrivalTimes(arrivedAtMs, chunk.length);
    for (const reply of replies) {
      this.emitter.enqueue(reply, arrivals[reply.afterByteIndex] ?? arrivedAtMs, this.device.epoch);
    }
  }

  /** Sends what the chip transmitted on its own (an application banner after a reset), at once. */
  flushOwnOutput(): void {
    if (this.closed) return;
    const own = this.device.takeOutput();
    if (own.length > 0) this.send(own);
  }

  /** Scheduler lateness of reply ends, or undefined without wire timing. */
  timingStats(): WireTimingStats | undefined {
    return this.emitter?.stats();
  }

  /** Stops emitting; queued output is dropped. */
  close(): void {
    this.closed = true;
    this.emitter?.stop();
  }
}
