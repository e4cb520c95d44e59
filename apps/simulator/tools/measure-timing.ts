// Measures how closely the simulator's wire-timing model is met over real ptys: full F4 cycles
// (connect, read 528, write 512 + 16 lock bytes, read 528 back: 31 round trips) from a raw host,
// alternating cycles without timing (the pty/serialport round-trip cost) and with baudTiming.
// Usage: node --conditions=ingrain-source --import tsx apps/simulator/tools/measure-timing.ts [cycles]
import { performance } from 'node:perf_hooks';
import {
  RawBootloaderHost,
  type SimulatedDeviceHandle,
  type Simulator,
  byteTimeMs,
  startSimulator,
} from '../src/index.js';

const F4_OTP = 0x1fff_7800;
const F4_LOCK = 0x1fff_7a00;
/** docs/hardware.md §timing: connection set-up 33 bytes, then read 528 + write 512 + write 16 + read 528 = 1692. */
const CYCLE_WIRE_BYTES = 33 + 1692;
const CYCLE_PROGRAMMED_BYTES = 512 + 16;

interface Scenario {
  readonly baudRate?: number;
  readonly programTimePerByteUs: number;
}

interface CycleResult {
  readonly durationMs: number;
  readonly meanLatenessMs: number;
  readonly maxLatenessMs: number;
}

async function readOtp(host: RawBootloaderHost): Promise<void> {
  for (const [offset, length] of [
    [0, 256],
    [256, 256],
    [512, 16],
  ] as const) {
    await host.readMemory(F4_OTP + offset, length);
  }
}

/** One full cycle on a blank chip, timed by the host from its first byte to its last reply byte. */
async function cycle(handle: SimulatedDeviceHandle): Promise<CycleResult> {
  const host = await RawBootloaderHost.open(handle.port);
  const image = Uint8Array.from({ length: 512 }, (_, i) => i & 0xfe);
  try {
    const startMs = performance.now();
    await host.sync();
    await host.exchange([0x01, 0xfe], 5);
    await host.exchange([0x00, 0xff], 15);
    await host.getId();
    await readOtp(host);
    await host.writeMemory(F4_OTP, image.subarray(0, 256));
    await host.writeMemory(F4_OTP + 256, image.subarray(256));
    await host.writeMemory(F4_LOCK, new Uint8Array(16));
    await readOtp(host);
    const durationMs = performance.now() - startMs;
    const stats = handle.wireTimingStats();
    return { durationMs, meanLatenessMs: stats?.meanLatenessMs ?? 0, maxLatenessMs: stats?.maxLatenessMs ?? 0 };
  } finally {
    await host.close();
  }
}

function start(scenario: Scenario, cycles: number): Promise<Simulator> {
  return startSimulator({
    family: 'stm32f4',
    count: cycles,
    baudTiming: scenario.baudRate,
    programTimePerByteUs: scenario.programTimePerByteUs,
  });
}

/**
 * Alternates untimed and timed cycles on fresh chips so both see the same machine load; the
 * difference of each pair is what the timing model added.
 */
async function measure(scenario: Required<Scenario>, cycles: number): Promise<void> {
  const [untimed, timed] = await Promise.all([start({ programTimePerByteUs: 0 }, cycles), start(scenario, cycles)]);
  try {
    const added: number[] = [];
    const measured: number[] = [];
    const baseline: number[] = [];
    const lateness: CycleResult[] = [];
    for (let i = 0; i < cycles; i++) {
      const base = await cycle(untimed.devices[i]!);
      const result = await cycle(timed.devices[i]!);
      added.push(result.durationMs - base.durationMs);
      measured.push(result.durationMs);
      baseline.push(base.durationMs);
      lateness.push(result);
    }
    // Load only ever adds time: the fastest timed cycle minus the fastest untimed one is the
    // least disturbed estimate of what the model added.
    const best = Math.min(...measured) - Math.min(...baseline);
    report(scenario, median(measured), median(added), best, lateness);
  } finally {
    await Promise.all([untimed.close(), timed.close()]);
  }
}

function report(
  scenario: Required<Scenario>,
  measured: number,
  added: number,
  best: number,
  results: CycleResult[],
): void {
  const model =
    CYCLE_WIRE_BYTES * byteTimeMs(scenario.baudRate) + (CYCLE_PROGRAMMED_BYTES * scenario.programTimePerByteUs) / 1000;
  const meanUs = (median(results.map((r) => r.meanLatenessMs)) * 1000).toFixed(0);
  const maxUs = (Math.max(...results.map((r) => r.maxLatenessMs)) * 1000).toFixed(0);
  console.log(
    `${String(scenario.baudRate).padEnd(7)} ${String(scenario.programTimePerByteUs).padStart(4)} ${ms(model)} ` +
      `${ms(measured)}  ${ms(added)} ${pct(added, model)}  ${ms(best)} ${pct(best, model)}   ${meanUs}/${maxUs}`,
  );
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const ms = (value: number) => value.toFixed(1).padStart(7);
const pct = (value: number, model: number) => `${(((value - model) / model) * 100).toFixed(1).padStart(5)} %`;

const cycles = Number(process.argv[2] ?? 7);
console.log(
  'baud    µs/B   model  measured  timed-untimed (median)  best pair (min-min)  reply-end lateness mean/max (µs)',
);
for (const scenario of [
  { baudRate: 115_200, programTimePerByteUs: 16 },
  { baudRate: 115_200, programTimePerByteUs: 100 },
  { baudRate: 57_600, programTimePerByteUs: 16 },
  { baudRate: 9_600, programTimePerByteUs: 16 },
]) {
  await measure(scenario, cycles);
}
