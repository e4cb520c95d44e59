import { readFileSync } from 'node:fs';

/** A measured throughput. */
export interface Rate {
  readonly ops: number;
  readonly ms: number;
  readonly perSecond: number;
  readonly usPerOp: number;
  /** CPU of the whole process (every thread: the libuv pool, workers) per op, when measured. */
  readonly cpuUsPerOp?: number;
}

export function rateOf(ops: number, ms: number, cpuUs?: number): Rate {
  const rate = { ops, ms, perSecond: (ops * 1000) / ms, usPerOp: (ms * 1000) / ops };
  return cpuUs === undefined ? rate : { ...rate, cpuUsPerOp: cpuUs / ops };
}

/** Wall and process CPU time of `work`, which returns how many ops it did. */
export async function measured(work: () => number | Promise<number>): Promise<Rate> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const ops = await work();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return rateOf(ops, ms, used.user + used.system);
}

/** Runs `op` back to back, synchronously, for `windowMs`. */
export function syncLoop(windowMs: number, op: () => void): Promise<Rate> {
  return measured(() => {
    const start = performance.now();
    let ops = 0;
    while (performance.now() - start < windowMs) {
      op();
      ops++;
    }
    return ops;
  });
}

/** Runs `concurrency` async loops of `op` for `windowMs` (each finishes the op it started). */
export function concurrentLoop(windowMs: number, concurrency: number, op: (n: number) => Promise<void>): Promise<Rate> {
  return measured(async () => {
    const start = performance.now();
    let ops = 0;
    const loop = async (): Promise<void> => {
      while (performance.now() - start < windowMs) await op(ops++);
    };
    await Promise.all(Array.from({ length: concurrency }, loop));
    return ops;
  });
}

/** The middle rate of several rounds (by rate). */
export function medianRate(rates: readonly Rate[]): Rate {
  const sorted = [...rates].sort((a, b) => a.perSecond - b.perSecond);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * µs per call of `fn` over `rounds` short rounds of `perRound` calls, taking the fastest round: on
 * a shared, noisy machine the fastest short round is the best estimate of the uncontended cost.
 */
export function fastestRoundUs(count: number, fn: (i: number) => unknown, rounds = 150, perRound = 20): number {
  let best = Number.POSITIVE_INFINITY;
  let i = 0;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let k = 0; k < perRound; k++) fn(i++ % count);
    best = Math.min(best, ((performance.now() - start) * 1000) / perRound);
  }
  return best;
}

const USER_HZ = 100; // Linux reports /proc times in USER_HZ ticks, 100 on every mainstream ABI

/** CPU time (user + system, ms, 10 ms resolution) consumed so far by the calling thread (Linux). */
export function threadCpuMs(): number {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ; // #14 utime, #15 stime
}
