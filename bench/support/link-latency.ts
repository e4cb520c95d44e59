// bench:link at a USB-serial adapter's latency: the simulator adds `latencyMs` to each reply
// (`ingrain-sim --latency-ms`), and the same work runs through Ingrain's cycle and through
// stm32flash on fresh chips of that simulator. Round trips are the bootloader link's own count
// (`CycleResult.wire.roundTrips`: frames sent, each followed by a wait for the device).
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type OtpImage } from '#ingrain/otp';
import { startSimProcess } from '../../testkit/stack/simulator-process.js';
import { LINK_BAUD_RATE, timedCycle, type TimedCycle } from './link-floor.js';
import { fmt, median } from './stats.js';

const run = promisify(execFile);

/** Ingrain's cycles and stm32flash's runs at one adapter latency. */
export interface LatencyRound {
  readonly latencyMs: number;
  readonly ours: readonly TimedCycle[];
  readonly flashMs: readonly number[];
}

/**
 * stm32flash 0.7, 8N1 on the pty (docs/hardware.md §stm32flash): read the 528 OTP + lock bytes,
 * write + verify the data, write + verify the lock bytes (-n 0: never a rewrite). Three runs, as an
 * operator would type them; each starts with its own sync.
 */
export async function stm32flashCycle(port: string, target: OtpImage, dir: string): Promise<number> {
  const base = ['-b', String(LINK_BAUD_RATE), '-m', '8n1'];
  const data = join(dir, 'data.bin');
  const locks = join(dir, 'locks.bin');
  await writeFile(data, target.data);
  await writeFile(locks, new Uint8Array(16).fill(0x00));
  const start = performance.now();
  await run('stm32flash', [...base, '-r', join(dir, 'read.bin'), '-S', '0x1FFF7800:528', port]);
  await run('stm32flash', [...base, '-w', data, '-v', '-n', '0', '-S', '0x1FFF7800', port]);
  await run('stm32flash', [...base, '-w', locks, '-v', '-n', '0', '-S', '0x1FFF7A00', port]);
  return performance.now() - start;
}

/** One simulator at `latencyMs`; a warm-up cycle, then `runs` cycles and `flashRuns` stm32flash runs, interleaved. */
export async function latencyRound(
  latencyMs: number,
  target: OtpImage,
  runs: number,
  flashRuns: number,
  dir: string,
): Promise<LatencyRound> {
  const sim = await startSimProcess({
    family: 'stm32f4',
    count: 1 + runs + flashRuns,
    baudTiming: LINK_BAUD_RATE,
    latencyMs,
  });
  try {
    const [warm, ...rest] = sim.devices;
    await timedCycle(warm!.port, target);
    const ours: TimedCycle[] = [];
    const flashMs: number[] = [];
    for (let i = 0; i < Math.max(runs, flashRuns); i++) {
      if (i < runs) ours.push(await timedCycle(rest[i]!.port, target));
      if (i < flashRuns) flashMs.push(await stm32flashCycle(rest[runs + i]!.port, target, dir));
    }
    return { latencyMs, ours, flashMs };
  } finally {
    await sim.stop();
  }
}

/** Fastest cycle over fastest stm32flash run: CPU load only ever adds time, so the least disturbed pair. */
function bestRatio(ours: readonly TimedCycle[], flashMs: readonly number[]): string {
  const ratio = Math.min(...ours.map((o) => o.ms)) / Math.min(...flashMs);
  return `${fmt(ratio, 2)} × (${fmt(1 / ratio, 1)} ×)`;
}

const range = (values: readonly number[]): string => `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`;

/**
 * On an FTDI adapter as delivered (16 ms latency timer), the station lowers the timer to 1 ms
 * (libs/otp/src/transport/low-latency.ts) and stm32flash 0.7 does not (no TIOCSSERIAL, no sysfs
 * write: checked with strace): Ingrain's 1 ms cycle against stm32flash's 16 ms run, same run.
 */
export function ftdiAsFoundRow(rounds: readonly LatencyRound[]): string[] | undefined {
  const lowered = rounds.find((round) => round.latencyMs === 1);
  const asFound = rounds.find((round) => round.latencyMs === 16);
  if (lowered === undefined || asFound === undefined) return undefined;
  const oursMs = median(lowered.ours.map((o) => o.ms));
  const flash = median(asFound.flashMs);
  const ratio = oursMs / flash;
  return [
    'FTDI as delivered (16 ms timer): Ingrain lowers it to 1 ms, stm32flash keeps 16 ms',
    `${fmt(oursMs)} (the 1 ms row)`,
    String(lowered.ours[0]?.result.wire.roundTrips ?? ''),
    '',
    `${fmt(flash)} (the 16 ms row)`,
    `${fmt(ratio, 2)} × (${fmt(1 / ratio, 1)} × faster)`,
    bestRatio(lowered.ours, asFound.flashMs),
    `≤ 0.25 × (${ratio <= 0.25 ? 'met' : '**missed**'})`,
  ];
}

/** The latency table: one row per round, ratios from the same run. */
export function latencyTable(rounds: readonly LatencyRound[]) {
  const base = rounds.find((round) => round.latencyMs === 0);
  const baseMs = base === undefined ? undefined : median(base.ours.map((o) => o.ms));
  return {
    columns: [
      'adapter latency per transfer',
      'Ingrain cycle ms (median, range)',
      'round trips (counted by the link)',
      'ms per round trip over 0 ms',
      'stm32flash ms (median, range)',
      'Ingrain / stm32flash (medians)',
      'fastest / fastest',
      'target',
    ],
    rows: [
      ...rounds.map((round) => {
        const oursMs = median(round.ours.map((o) => o.ms));
        const flash = median(round.flashMs);
        const trips = round.ours.map((o) => o.result.wire.roundTrips);
        const tripsText =
          Math.min(...trips) === Math.max(...trips) ? String(trips[0]) : `${Math.min(...trips)}–${Math.max(...trips)}`;
        const perTrip =
          baseMs === undefined || round.latencyMs === 0 ? '' : fmt((oursMs - baseMs) / (trips[0] ?? 1), 2);
        const ratio = oursMs / flash;
        return [
          `${round.latencyMs} ms`,
          `${fmt(oursMs)} (${range(round.ours.map((o) => o.ms))})`,
          tripsText,
          perTrip,
          `${fmt(flash)} (${range(round.flashMs)})`,
          `${fmt(ratio, 2)} × (${fmt(1 / ratio, 1)} × faster)`,
          bestRatio(round.ours, round.flashMs),
          `≤ 0.25 × (${ratio <= 0.25 ? 'met' : '**missed**'})`,
        ];
      }),
      ...[ftdiAsFoundRow(rounds)].filter((row) => row !== undefined),
    ],
  };
}

/** Why a target is out of reach at a high latency, or '' when it is not. */
function latencyBound(round: LatencyRound, trips: number): string {
  const latencyOnlyMs = trips * round.latencyMs;
  if (latencyOnlyMs <= median(round.flashMs) / 4) return '';
  return ` The latency alone is ${fmt(latencyOnlyMs)} ms of Ingrain's cycle (${trips} × ${round.latencyMs} ms), more than a quarter of stm32flash's ${fmt(median(round.flashMs))} ms: no host that waits for every ACK gets 4 × here. So the station lowers an FTDI's timer to 1 ms where the OS lets it, and says when it cannot; the last row is that comparison.`;
}

/** The lines that read the latency table: where the time goes and why a target is missed. */
export function latencyReading(rounds: readonly LatencyRound[]): string[] {
  const base = rounds.find((round) => round.latencyMs === 0);
  if (base === undefined) return [];
  const trips = base.ours[0]?.result.wire.roundTrips ?? 0;
  const lines = [
    '- The target is judged on the medians. Other work loads the same 2 cores, and load only ever adds time, to Ingrain (a Node process, the serialport binding, a socat relay and the simulator per round trip) more than to stm32flash (mostly its own fixed sync time-outs): the fastest/fastest column is the least disturbed comparison.',
    `- Every round trip waits once for the adapter: the cycle's ${trips} round trips (the link's count: frames sent, each followed by a wait for the device) cost ${trips} × the latency on top of the 0 ms cycle; the "ms per round trip" column shows it measured. The ${trips}: sync 1, Get 1, Get ID twice 2, OTP + locks + UID read twice (540 B, 3 commands of 3 waits each) 18, data write ${trips - 34} (${(trips - 34) / 3} Write Memory commands: two 256-byte frames would do, the others are resync-safe splits of this image, docs/hardware.md §resync-safe-frames), data read-back 6, lock write 3, lock read-back 3. With the data write at 6, 40 are the floor that keeps every rule with AN3155 framing. Fewer would mean dropping a confirming read or a read-back, or sending a command's frames without waiting for each ACK (after a NACKed command the ROM parses the rest of the frame as new commands; for a Write Memory those are image bytes): not done.`,
  ];
  for (const round of rounds) {
    const ratio = median(round.ours.map((o) => o.ms)) / median(round.flashMs);
    if (ratio > 0.25)
      lines.push(
        `- At ${round.latencyMs} ms Ingrain is ${fmt(1 / ratio, 1)} × faster than stm32flash (target 4 ×: **missed**).${latencyBound(round, trips)}`,
      );
  }
  return lines;
}
