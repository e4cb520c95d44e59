// The link floor of a provisioning cycle: the time its bytes need on a 115200-baud 8E1 wire plus the
// flash programming time of the bytes it programs. Shared by bench:link (one chip, full image) and
// bench:e2e (the sample product's image, as the station writes it).
import { type CycleResult, type OtpImage } from '#ingrain/otp';
import { runCycleOnPort } from '../../testkit/cycle.js';

/** The bootloader link rate the benchmarks model (AN3155 §2: up to 115200 baud). */
export const LINK_BAUD_RATE = 115_200;
/** 8E1: 11 bits per byte on the wire (docs/hardware.md §link, §timing). */
export const BYTE_MS = (11 / LINK_BAUD_RATE) * 1000;
/** The simulator's default programming time per byte (docs/hardware.md §timing, typical). */
export const PROGRAM_US_PER_BYTE = 16;

/** The parts of a cycle's result the floor is made of. */
export type CycleTraffic = Pick<CycleResult, 'wire' | 'bytesWritten' | 'blocksLocked'>;

/**
 * Wire time of every byte the cycle sent and received, plus the programming time of the data bytes
 * written and of one lock byte per locked block: what no host can beat on this link.
 */
export function wireFloorMs(result: CycleTraffic): number {
  const programmed = result.bytesWritten + result.blocksLocked;
  return (result.wire.bytesSent + result.wire.bytesReceived) * BYTE_MS + (programmed * PROGRAM_US_PER_BYTE) / 1000;
}

/** A cycle timed from opening the port to its result. */
export interface TimedCycle {
  readonly ms: number;
  readonly result: CycleResult;
}

/**
 * One provisioning cycle of `target` on a (simulated) chip at `port`, timed.
 * @throws Error when the cycle does not end `provisioned` (a benchmark needs a blank chip).
 */
export async function timedCycle(port: string, target: OtpImage): Promise<TimedCycle> {
  const start = performance.now();
  const result = await runCycleOnPort(port, target);
  const ms = performance.now() - start;
  if (result.outcome !== 'provisioned') {
    const why =
      result.error === undefined ? '' : ` (${result.error.code} in ${result.error.phase}: ${result.error.message})`;
    throw new Error(`cycle on ${port}: ${result.outcome}${why}`);
  }
  return { ms, result };
}
