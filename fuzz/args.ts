// The command line of `npm run fuzz -- [--seed N] [--requests N] [--concurrency N] [--timeout-ms N]`.
import { parseArgs } from 'node:util';
import { Prng } from './prng.js';

export interface FuzzArgs {
  readonly seed: number;
  readonly requests: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** A file to write one JSON line per request and answer to. */
  readonly trace: string | undefined;
}

export const USAGE =
  'usage: npm run fuzz -- [--seed <0..4294967295>] [--requests <n, default 5000>] [--concurrency <1..64, default 8>] [--timeout-ms <n, default 30000>] [--trace <file.jsonl>]';

function integer(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`--${name} must be an integer from ${min} to ${max} (got "${text}")\n${USAGE}`);
  }
  return value;
}

/** Parses argv (after `node fuzz.js`); throws an Error with the usage on a bad option. */
export function parseFuzzArgs(argv: readonly string[]): FuzzArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      seed: { type: 'string' },
      requests: { type: 'string' },
      concurrency: { type: 'string' },
      'timeout-ms': { type: 'string' },
      trace: { type: 'string' },
    },
    strict: true,
  });
  return {
    seed: integer('seed', values.seed, Prng.randomSeed(), 0, 0xffff_ffff),
    requests: integer('requests', values.requests, 5_000, 1, 10_000_000),
    concurrency: integer('concurrency', values.concurrency, 8, 1, 64),
    timeoutMs: integer('timeout-ms', values['timeout-ms'], 30_000, 100, 600_000),
    trace: values.trace,
  };
}
