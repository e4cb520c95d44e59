import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { REPO_ROOT } from '../../testkit/stack/index.js';

/** What `npm run demo -- …` asked for. */
export interface MissionOptions {
  /** The demo's own directory (wiped at the start of each run). */
  readonly dir: string;
  /** Leave the API, Redis, the stations and the simulator running until Ctrl-C. */
  readonly keep: boolean;
  /** The API's port; 0 = any free port. */
  readonly apiPort: number;
  /** Devices the MES orders. */
  readonly devices: number;
  /** Give up waiting for the work order after this long. */
  readonly timeoutMs: number;
}

export const USAGE = `Usage: npm run demo -- [--dir DIR] [--keep] [--port N] [--devices N] [--timeout-s N]

  --dir DIR       where the demo keeps everything (default .ingrain/demo); wiped at the start
                  of each run, so it must be empty, missing or a previous demo's directory
  --keep          leave the API, Redis, the stations and the simulator running until Ctrl-C
  --port N        the API's port (default: any free port)
  --devices N     devices the MES orders (default 32)
  --timeout-s N   give up waiting for them after N seconds (default 600)
  --help          this text`;

/** A bad flag or value: the demo exits with status 2 and prints the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const flagsSchema = z.object({
  dir: z.string().min(1).optional(),
  keep: z.boolean().optional(),
  port: integer(0, 65_535).optional(),
  devices: integer(1, 10_000).optional(),
  'timeout-s': integer(1, 86_400).optional(),
  help: z.boolean().optional(),
});

/** The flags, or `'help'`. @throws UsageError (with the usage text) on an unknown flag or a bad value. */
export function parseMissionOptions(args: readonly string[]): MissionOptions | 'help' {
  let values: unknown;
  try {
    values = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        dir: { type: 'string' },
        keep: { type: 'boolean' },
        port: { type: 'string' },
        devices: { type: 'string' },
        'timeout-s': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`, { cause: error });
  }
  const parsed = flagsSchema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`);
    throw new UsageError(`${problems.join('\n')}\n\n${USAGE}`);
  }
  const flags = parsed.data;
  if (flags.help === true) return 'help';
  return {
    dir: flags.dir === undefined ? resolve(REPO_ROOT, '.ingrain', 'demo') : resolve(flags.dir),
    keep: flags.keep ?? false,
    apiPort: flags.port ?? 0,
    devices: flags.devices ?? 32,
    timeoutMs: (flags['timeout-s'] ?? 600) * 1000,
  };
}
