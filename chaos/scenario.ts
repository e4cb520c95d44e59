import { parseArgs } from 'node:util';
import { z } from 'zod';

/** What a chaos run does: its size, its length and how many faults of each kind it injects. */
export interface Scenario {
  readonly seed: number;
  readonly devices: number;
  /** The fault window: devices are ordered and faults injected over this many minutes. */
  readonly minutes: number;
  readonly stations: number;
  readonly fixturesPerStation: number;
  readonly stationKills: number;
  readonly apiKills: number;
  /** Redis restarts, alternately without (the queue is lost) and with persistence. */
  readonly redisRestarts: number;
  /** Simulator faults: power cuts, dropped and corrupted bytes, in turn. */
  readonly simFaults: number;
  /** After the window, how long the line gets to finish every device. */
  readonly settleSeconds: number;
  /** Where the run keeps its stack, chips and logs (a fresh temp directory when absent). */
  readonly dir: string | undefined;
  /** Print the result as one JSON object instead of the table. */
  readonly json: boolean;
}

export const USAGE = `Usage: npm run chaos -- [--seed N] [--devices N] [--minutes M] [--station-kills N] [--api-kills N]
  [--redis-restarts N] [--sim-faults N] [--settle-s N] [--dir DIR] [--json]
Defaults: 200 devices over 4 minutes on 2 stations x 4 fixtures; fault counts scale with the devices.`;

/** A bad flag, named with the reason. */
export class ScenarioError extends Error {
  readonly code = 'CHAOS_USAGE';
}

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flagsSchema = z.strictObject({
  seed: count(0, 0xffff_ffff).optional(),
  devices: count(1, 10_000).default(200),
  minutes: z.coerce.number().min(0.1).max(120).default(4),
  'station-kills': count(0, 1_000).optional(),
  'api-kills': count(0, 1_000).optional(),
  'redis-restarts': count(0, 1_000).optional(),
  'sim-faults': count(0, 10_000).optional(),
  'settle-s': count(10, 3_600).default(180),
  dir: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

/**
 * Parses the command line once, at the edge.
 * @throws ScenarioError naming the flag and the reason
 */
export function parseScenario(argv: readonly string[]): Scenario {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        seed: { type: 'string' },
        devices: { type: 'string' },
        minutes: { type: 'string' },
        'station-kills': { type: 'string' },
        'api-kills': { type: 'string' },
        'redis-restarts': { type: 'string' },
        'sim-faults': { type: 'string' },
        'settle-s': { type: 'string' },
        dir: { type: 'string' },
        json: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    throw new ScenarioError((error as Error).message);
  }
  const parsed = flagsSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ScenarioError(`--${String(issue?.path[0] ?? 'arguments')}: ${issue?.message ?? 'invalid'}`);
  }
  const flags = parsed.data;
  const devices = flags.devices;
  return {
    seed: flags.seed ?? Math.floor(Math.random() * 0xffff_ffff),
    devices,
    minutes: flags.minutes,
    stations: 2,
    fixturesPerStation: 4,
    stationKills: flags['station-kills'] ?? Math.max(1, Math.round(devices / 25)),
    apiKills: flags['api-kills'] ?? Math.max(1, Math.round(devices / 50)),
    redisRestarts: flags['redis-restarts'] ?? Math.max(1, Math.round(devices / 50)),
    simFaults: flags['sim-faults'] ?? Math.max(3, Math.round(devices / 8)),
    settleSeconds: flags['settle-s'],
    dir: flags.dir,
    json: flags.json,
  };
}
