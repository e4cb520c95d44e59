import { BITS_PER_BYTE_8E1 } from '#ingrain/otp';

// 8E1 framing (start, 8 data, parity, stop: AN3155 §2, docs/hardware.md §framing), re-exported for the app's callers.
export { BITS_PER_BYTE_8E1 };

/** Time one byte occupies the wire at `baudRate`, in ms (95.49 µs at 115200, docs/hardware.md §timing). */
export function byteTimeMs(baudRate: number): number {
  return (BITS_PER_BYTE_8E1 * 1000) / baudRate;
}

/**
 * Virtual clocks of the two wire directions. A byte cannot start before the previous byte in the
 * same direction has finished, so back-to-back host writes queue up and replies never overlap.
 * Pure arithmetic on millisecond timestamps; the caller supplies "now".
 */
export class WireClock {
  private rxFreeAtMs = Number.NEGATIVE_INFINITY;
  private txFreeAtMs = Number.NEGATIVE_INFINITY;

  constructor(readonly byteTimeMs: number) {}

  /**
   * A chunk of `count` bytes started arriving at `arrivedAtMs`: returns when each byte has fully
   * arrived (first arrival + (i + 1) × byte time, after whatever was still on the wire).
   */
  receive(arrivedAtMs: number, count: number): number[] {
    const startMs = Math.max(arrivedAtMs, this.rxFreeAtMs);
    const finishMs = Array.from({ length: count }, (_, i) => startMs + (i + 1) * this.byteTimeMs);
    this.rxFreeAtMs = finishMs.at(-1) ?? this.rxFreeAtMs;
    return finishMs;
  }

  /**
   * A reply of `count` bytes is ready at `readyAtMs`: returns when each byte has fully left the
   * device, the earliest moment the host can hold it.
   */
  transmit(readyAtMs: number, count: number): number[] {
    const startMs = Math.max(readyAtMs, this.txFreeAtMs);
    const finishMs = Array.from({ length: count }, (_, i) => startMs + (i + 1) * this.byteTimeMs);
    this.txFreeAtMs = finishMs.at(-1) ?? this.txFreeAtMs;
    return finishMs;
  }
}
