import { performance } from 'node:perf_hooks';
import { type DeviceReply } from '#ingrain/simulator';
import { PreciseScheduler } from './precise-scheduler.js';
import { WireClock, byteTimeMs } from './wire-clock.js';

/** Wire timing model of one device link. */
export interface WireTiming {
  /** Baud rate whose 8E1 byte time is modelled in both directions. */
  readonly baudRate: number;
  /** Programming time per Write Memory payload byte, in µs (docs/hardware.md §timing: about 16 µs typical). */
  readonly programTimePerByteUs: number;
  /**
   * The USB-serial adapter's latency per transfer, in ms (default 0): each reply reaches the host
   * this long after its bytes left the chip (about 1 ms for most adapters, 16 ms for an FTDI chip's
   * default latency timer). The wire itself keeps its timing: the next reply may start meanwhile.
   */
  readonly transferLatencyMs?: number;
}

/** How late the simulator sent the last byte of each reply, against the wire model. */
export interface WireTimingStats {
  readonly replies: number;
  readonly meanLatenessMs: number;
  readonly maxLatenessMs: number;
}

interface QueuedByte {
  readonly dueAtMs: number;
  readonly byte: number;
  readonly epoch: number;
  /** Last byte of a reply: the host is waiting for it, so it must not be late. */
  readonly last: boolean;
}

/**
 * Delays a device's replies to what a real UART link would allow: a received byte counts only
 * once it has fully arrived, programming takes time, and each transmitted byte leaves no earlier
 * than its wire time. Bytes queued under an older device epoch (power loss/cycle) are dropped.
 */
export class TimedEmitter {
  private readonly clock: WireClock;
  private readonly scheduler: PreciseScheduler;
  private readonly queue: QueuedByte[] = [];
  private replies = 0;
  private totalLatenessMs = 0;
  private maxLatenessMs = 0;

  constructor(
    private readonly timing: WireTiming,
    private readonly send: (bytes: Uint8Array) => void,
    private readonly currentEpoch: () => number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.clock = new WireClock(byteTimeMs(timing.baudRate));
    this.scheduler = new PreciseScheduler(now);
  }

  /** The host's bytes started arriving at `arrivedAtMs`: returns when each one fully arrived. */
  arrivalTimes(arrivedAtMs: number, count: number): number[] {
    return this.clock.receive(arrivedAtMs, count);
  }

  /** Queues a reply triggered by a byte that fully arrived at `triggerArrivedAtMs`. */
  enqueue(reply: DeviceReply, triggerArrivedAtMs: number, epoch: number): void {
    const readyAtMs = triggerArrivedAtMs + (reply.programmedBytes * this.timing.programTimePerByteUs) / 1000;
    const dueTimes = this.clock.transmit(readyAtMs, reply.bytes.length);
    const latencyMs = this.timing.transferLatencyMs ?? 0;
    reply.bytes.forEach((byte, i) => {
      const dueAtMs = (dueTimes[i] ?? readyAtMs) + latencyMs;
      this.queue.push({ dueAtMs, byte, epoch, last: i === reply.bytes.length - 1 });
    });
    this.pump();
  }

  /** Lateness of reply ends so far (what the scheduler, not the model, added). */
  stats(): WireTimingStats {
    const meanLatenessMs = this.replies === 0 ? 0 : this.totalLatenessMs / this.replies;
    return { replies: this.replies, meanLatenessMs, maxLatenessMs: this.maxLatenessMs };
  }

  /** Drops everything queued and stops the timer. */
  stop(): void {
    this.queue.length = 0;
    this.scheduler.cancel();
  }

  private recordLateness(latenessMs: number): void {
    this.replies++;
    this.totalLatenessMs += latenessMs;
    this.maxLatenessMs = Math.max(this.maxLatenessMs, latenessMs);
  }

  private pump(): void {
    const nowMs = this.now();
    const epoch = this.currentEpoch();
    const due: number[] = [];
    while (this.queue.length > 0 && (this.queue[0]?.dueAtMs ?? 0) <= nowMs) {
      const next = this.queue.shift();
      if (next === undefined || next.epoch !== epoch) continue;
      due.push(next.byte);
      if (next.last) this.recordLateness(nowMs - next.dueAtMs);
    }
    if (due.length > 0) this.send(Uint8Array.from(due));
    this.planNextWake(nowMs);
  }

  /**
   * Bytes inside a reply may go out up to a timer tick late, but the reply's last byte (the one the
   * host waits for) must not: near it, spin; before it, sleep coarsely but wake a spin window early.
   */
  private planNextWake(nowMs: number): void {
    const head = this.queue[0];
    if (head === undefined) {
      this.scheduler.cancel();
      return;
    }
    const replyEndMs = this.queue.find((queued) => queued.last)?.dueAtMs ?? head.dueAtMs;
    if (replyEndMs - nowMs <= this.scheduler.spinWindowMs) {
      this.scheduler.schedule(head.dueAtMs, true, () => this.pump());
    } else {
      const wakeAtMs = Math.min(head.dueAtMs, replyEndMs - this.scheduler.spinWindowMs);
      this.scheduler.schedule(wakeAtMs, false, () => this.pump());
    }
  }
}
