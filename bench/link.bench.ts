// npm run bench:link — the full STM32F4 OTP cycle (528-byte image, all 16 blocks locked) over a pty
// with the simulator modelling 115200-baud 8E1 wire timing, next to (a) the wire floor of the bytes
// actually exchanged and the theoretical minimum of docs/hardware.md §timing, (b) stm32flash doing the
// equivalent work on the same simulator in the same run, and (c) 8 chips in parallel vs one.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { allBlocks, patternImage } from '../testkit/otp-images.js';
import {
  BYTE_MS,
  LINK_BAUD_RATE as BAUD,
  PROGRAM_US_PER_BYTE,
  timedCycle as cycleOn,
  type TimedCycle,
  wireFloorMs,
} from './support/link-floor.js';
import { renderMarkdownTable, renderTextTable } from '../testkit/tables.js';
import { machineSummary, recordBenchmarkSection } from './support/report.js';
import { startSimProcess, type SimDevice } from '../testkit/stack/simulator-process.js';
import { fmt, median } from './support/stats.js';
import { latencyReading, latencyRound, type LatencyRound, latencyTable } from './support/link-latency.js';

const RUNS = 5;
const FLASH_RUNS = 3;
/** A USB-serial adapter's latency per transfer: none (the pty), typical, an FTDI's default latency timer. */
const LATENCIES_MS = [0, 1, 16] as const;
const PARALLEL = 8;
// docs/hardware.md §timing: sync + Get Version + Get + Get ID (33 B) and read 528 + write 512 + write 16 + read 528
// with 12 bytes of framing per command (9 commands) = 1725 bytes, plus 528 bytes programmed.
const THEORETICAL_MIN_MS = 1725 * BYTE_MS + (528 * PROGRAM_US_PER_BYTE) / 1000;

const target = patternImage('stm32f4', allBlocks('stm32f4'));

const timedCycle = (device: SimDevice): Promise<TimedCycle> => cycleOn(device.port, target);

const loadAverage = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const loadBefore = loadAverage();

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ingrain-bench-link-'));
  try {
    const rounds: LatencyRound[] = [];
    for (const latencyMs of LATENCIES_MS) rounds.push(await latencyRound(latencyMs, target, RUNS, FLASH_RUNS, dir));
    const sim = await startSimProcess({ family: 'stm32f4', count: 2 + PARALLEL, baudTiming: BAUD });
    try {
      const [warm, single, ...parallel] = sim.devices;
      await timedCycle(warm!);
      const singleMs = (await timedCycle(single!)).ms;
      const parallelStart = performance.now();
      await Promise.all(parallel.map(timedCycle));
      report(rounds, singleMs, performance.now() - parallelStart);
    } finally {
      await sim.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function report(rounds: readonly LatencyRound[], singleMs: number, parallelMs: number): void {
  const { ours, flashMs } = rounds[0]!;
  const oursMs = median(ours.map((o) => o.ms));
  const floorMs = median(ours.map((o) => wireFloorMs(o.result)));
  const sample = ours[0]!.result;
  const flash = median(flashMs);
  const range = (values: readonly number[]): string => `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`;
  const table = {
    columns: ['measurement', 'median ms', 'range ms', 'ratio', 'target'],
    rows: [
      ['Ingrain full F4 cycle (528 B image, 16 blocks locked)', fmt(oursMs), range(ours.map((o) => o.ms)), '', ''],
      [
        `wire floor of the bytes exchanged (${sample.wire.bytesSent} sent + ${sample.wire.bytesReceived} received, ${sample.wire.roundTrips} round trips)`,
        fmt(floorMs),
        '',
        `${fmt(oursMs / floorMs, 2)} ×`,
        '≤ 1.10 ×',
      ],
      [
        'theoretical minimum for the same work (docs/hardware.md §timing: 1725 B + 528 B programmed)',
        fmt(THEORETICAL_MIN_MS),
        '',
        `${fmt(oursMs / THEORETICAL_MIN_MS, 2)} ×`,
        '',
      ],
      [
        `stm32flash 0.7: read + write/verify data + write/verify locks (${FLASH_RUNS} runs)`,
        fmt(flash),
        range(flashMs),
        `Ingrain = ${fmt(oursMs / flash, 2)} ×`,
        '≤ 0.25 ×',
      ],
      [
        `${PARALLEL} chips in parallel from one process (wall) vs 1 chip`,
        `${fmt(parallelMs)} vs ${fmt(singleMs)}`,
        '',
        `${fmt(parallelMs / singleMs, 2)} × (ideal 1.00)`,
        '',
      ],
    ],
  };
  const latency = latencyTable(rounds);
  console.log(renderTextTable(table));
  console.log(renderTextTable(latency));
  const md = [
    '## bench:link — one chip over the bootloader at 115200 baud',
    '',
    `Run ${new Date().toISOString().slice(0, 10)} on ${machineSummary()}; simulator in its own process with wire timing (11 bits/byte) and ${PROGRAM_US_PER_BYTE} µs programming per byte; ${RUNS} runs each, fresh blank chip per run. Load average ${loadBefore} before, ${loadAverage()} after (other work shares the 2 cores: the ranges show the noise).`,
    '',
    renderMarkdownTable(table),
    '',
    `At a USB-serial adapter's latency: the simulator delivers every reply N ms after it left the chip (\`ingrain-sim --latency-ms N\`: the adapter holding received bytes for its latency timer; the wire keeps its own timing, host writes are not delayed). ${RUNS} cycles and ${FLASH_RUNS} stm32flash runs per row, interleaved on fresh chips of the same simulator; ratios from this run:`,
    '',
    renderMarkdownTable(latency),
    '',
    ...latencyReading(rounds),
  ].join('\n');
  recordBenchmarkSection('link', md);
}

await main();
