// npm run bench:link — the full STM32F4 OTP cycle (528-byte image, all 16 blocks locked) over a pty
// with the simulator modelling 115200-baud 8E1 wire timing, next to (a) the wire floor of the bytes
// actually exchanged and the theoretical minimum of docs/hardware.md §timing, (b) stm32flash doing the
// equivalent work on the same simulator in the same run, and (c) 8 chips in parallel vs one.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

const RUNS = 5;
const PARALLEL = 8;
// docs/hardware.md §timing: sync + Get Version + Get + Get ID (33 B) and read 528 + write 512 + write 16 + read 528
// with 12 bytes of framing per command (9 commands) = 1725 bytes, plus 528 bytes programmed.
const THEORETICAL_MIN_MS = 1725 * BYTE_MS + (528 * PROGRAM_US_PER_BYTE) / 1000;

const target = patternImage('stm32f4', allBlocks('stm32f4'));
const run = promisify(execFile);

const timedCycle = (device: SimDevice): Promise<TimedCycle> => cycleOn(device.port, target);

/** stm32flash 0.7, 8N1 on the pty: read, write+verify data, write+verify the lock word (-n 0: no rewrites). */
async function stm32flashCycle(device: SimDevice, dir: string): Promise<number> {
  const base = ['-b', String(BAUD), '-m', '8n1'];
  const data = join(dir, 'data.bin');
  const locks = join(dir, 'locks.bin');
  await writeFile(data, target.data);
  await writeFile(locks, new Uint8Array(16).fill(0x00));
  const start = performance.now();
  await run('stm32flash', [...base, '-r', join(dir, 'read.bin'), '-S', '0x1FFF7800:528', device.port]);
  await run('stm32flash', [...base, '-w', data, '-v', '-n', '0', '-S', '0x1FFF7800', device.port]);
  await run('stm32flash', [...base, '-w', locks, '-v', '-n', '0', '-S', '0x1FFF7A00', device.port]);
  return performance.now() - start;
}

async function main(): Promise<void> {
  const sim = await startSimProcess({ family: 'stm32f4', count: 1 + RUNS + RUNS + 1 + PARALLEL, baudTiming: BAUD });
  const dir = await mkdtemp(join(tmpdir(), 'ingrain-bench-link-'));
  try {
    const [warm, ...rest] = sim.devices;
    await timedCycle(warm!);
    const ours = [];
    for (const device of rest.slice(0, RUNS)) ours.push(await timedCycle(device));
    const flash = [];
    for (const device of rest.slice(RUNS, RUNS * 2)) flash.push(await stm32flashCycle(device, dir));
    const single = await timedCycle(rest[RUNS * 2]!);
    const parallelStart = performance.now();
    await Promise.all(rest.slice(RUNS * 2 + 1).map(timedCycle));
    const parallelMs = performance.now() - parallelStart;
    report(ours, flash, single.ms, parallelMs);
  } finally {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function report(ours: TimedCycle[], flashMs: number[], singleMs: number, parallelMs: number): void {
  const oursMs = median(ours.map((o) => o.ms));
  const floorMs = median(ours.map((o) => wireFloorMs(o.result)));
  const sample = ours[0]!.result;
  const flash = median(flashMs);
  const range = (values: number[]): string => `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`;
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
        'stm32flash 0.7: read + write/verify data + write/verify locks (3 runs)',
        fmt(flash),
        range(flashMs),
        `Ingrain = ${fmt(oursMs / flash, 2)} ×`,
        '≤ 0.50 ×',
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
  console.log(renderTextTable(table));
  const md = [
    '## bench:link — one chip over the bootloader at 115200 baud',
    '',
    `Run ${new Date().toISOString().slice(0, 10)} on ${machineSummary()}; simulator in its own process with wire timing (11 bits/byte) and ${PROGRAM_US_PER_BYTE} µs programming per byte; ${RUNS} runs each, fresh blank chip per run.`,
    '',
    renderMarkdownTable(table),
  ].join('\n');
  recordBenchmarkSection('link', md);
}

await main();
