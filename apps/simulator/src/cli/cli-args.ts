import { parseArgs } from 'node:util';
import { CHIP_FAMILIES } from '#ingrain/otp';
import { z } from 'zod';
import { SimulatorError } from '#ingrain/simulator';
import { type FaultPlan } from '#ingrain/simulator';
import { FAULT_FLAG_NAMES, type FaultFlagName } from './fault-flags.js';
import { type SimulatorOptions } from '../simulator-options.js';

export const USAGE = `Usage: ingrain-sim --family stm32f4 [--count N] [--baud-timing 115200 [--program-time-us 16] [--latency-ms 0]]
                   [--state-dir DIR] [--uid HEX24]... [--product-id 0x413] [--locked-write ack|nack]
                   [--fault NAME=N]... [--feeder --release-dir DIR [--chips-per-fixture N]]
                   [--line-control DIR [--wiring boot0=dtr,nrst=rts] [--app-banner TEXT]]
--latency-ms N: a USB-serial adapter's latency per transfer (1 typical, 16 an FTDI's default latency
timer): each reply reaches the host N ms after it left the chip; needs --baud-timing.
Faults: ${Object.keys(FAULT_FLAG_NAMES).join(', ')}
Prints one JSON line per device ({"port","family","uid"}) and runs until SIGINT/SIGTERM.
SIGUSR1 power-cycles every device (OTP kept, back to waiting for 0x7F).
--feeder: each device is a fixture; a release file in --release-dir (the station's
INGRAIN_FIXTURE_RELEASE_DIR) takes its chip out and inserts a new blank one, up to N chips per fixture.
--line-control: model BOOT0/NRST; each fixture's lines are driven through DIR/fixture-N.sock
(docs/fixtures.md); a chip answers the bootloader only after a reset with BOOT0 high.`;

/** What the command line asks for. */
export type CliCommand = { readonly kind: 'help' } | { readonly kind: 'run'; readonly options: SimulatorOptions };

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^(?:0x[0-9a-f]+|\d+)$/i, 'expected a decimal or 0x-hex integer')
    .transform(Number)
    .pipe(z.int().min(min).max(max));

// Flag values as strings, validated one flag at a time so errors name the flag.
const flagsSchema = z.object({
  family: z.enum(CHIP_FAMILIES, `expected one of ${CHIP_FAMILIES.join(', ')}`),
  count: integer(1, 64).optional(),
  'baud-timing': integer(1200, 4_000_000).optional(),
  'program-time-us': integer(0, 10_000).optional(),
  'latency-ms': integer(0, 1000).optional(),
  'state-dir': z.string().min(1).optional(),
  uid: z.array(z.string().regex(/^[0-9a-f]{24}$/i, 'expected 24 hex digits')).optional(),
  'product-id': integer(0, 0xffff).optional(),
  'locked-write': z.enum(['ack', 'nack'], 'expected ack or nack').optional(),
  fault: z.array(z.string()).optional(),
  feeder: z.boolean().optional(),
  'release-dir': z.string().min(1).optional(),
  'chips-per-fixture': integer(1, 1_000_000).optional(),
  'line-control': z.string().min(1).optional(),
  wiring: z.string().min(1).optional(),
  'app-banner': z.string().max(1024).optional(),
});

/**
 * Parses the simulator's command line (node:util parseArgs, then zod).
 * @throws SimulatorError SIM_CLI_USAGE with a message naming the offending flag
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const values = readFlags(argv);
  if (values.help === true) return { kind: 'help' };
  const parsed = flagsSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = String(issue?.path[0] ?? 'arguments');
    throw new SimulatorError('SIM_CLI_USAGE', `--${flag}: ${issue?.message ?? 'invalid'}`, { cause: parsed.error });
  }
  const flags = parsed.data;
  if (flags['latency-ms'] !== undefined && flags['baud-timing'] === undefined)
    throw new SimulatorError(
      'SIM_CLI_USAGE',
      '--latency-ms: needs --baud-timing (the latency is part of the wire model)',
    );
  const feeder = feederOptions(flags);
  return { kind: 'run', options: feeder === undefined ? runOptions(flags) : { ...runOptions(flags), feeder } };
}

function runOptions(flags: z.output<typeof flagsSchema>): SimulatorOptions {
  return {
    family: flags.family,
    count: flags.count,
    baudTiming: flags['baud-timing'],
    programTimePerByteUs: flags['program-time-us'],
    transferLatencyMs: flags['latency-ms'],
    stateDir: flags['state-dir'],
    uids: flags.uid?.map((uid) => uid.toLowerCase()),
    productId: flags['product-id'],
    lockedWriteAck: flags['locked-write'] === undefined ? undefined : flags['locked-write'] === 'ack',
    faults: parseFaultFlags(flags.fault ?? []),
    ...(flags['line-control'] === undefined
      ? {}
      : {
          lineControl: {
            dir: flags['line-control'],
            wiring: flags.wiring,
            banner: flags['app-banner']?.replace(/\\n/g, '\n'),
          },
        }),
  };
}

/** `--feeder --release-dir DIR [--chips-per-fixture N]`. @throws SimulatorError SIM_CLI_USAGE */
function feederOptions(flags: z.output<typeof flagsSchema>): SimulatorOptions['feeder'] {
  if (flags.feeder !== true) {
    if (flags['release-dir'] !== undefined || flags['chips-per-fixture'] !== undefined)
      throw new SimulatorError('SIM_CLI_USAGE', '--release-dir and --chips-per-fixture need --feeder');
    return undefined;
  }
  if (flags['release-dir'] === undefined)
    throw new SimulatorError('SIM_CLI_USAGE', '--feeder: needs --release-dir DIR (where the station writes releases)');
  return { releaseDir: flags['release-dir'], chipsPerFixture: flags['chips-per-fixture'] };
}

function readFlags(argv: readonly string[]): Record<string, unknown> {
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        family: { type: 'string' },
        count: { type: 'string' },
        'baud-timing': { type: 'string' },
        'program-time-us': { type: 'string' },
        'latency-ms': { type: 'string' },
        'state-dir': { type: 'string' },
        uid: { type: 'string', multiple: true },
        'product-id': { type: 'string' },
        'locked-write': { type: 'string' },
        fault: { type: 'string', multiple: true },
        feeder: { type: 'boolean' },
        'release-dir': { type: 'string' },
        'chips-per-fixture': { type: 'string' },
        'line-control': { type: 'string' },
        wiring: { type: 'string' },
        'app-banner': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    return values;
  } catch (error) {
    throw new SimulatorError('SIM_CLI_USAGE', (error as Error).message, { cause: error });
  }
}

/** `--fault NAME=N` values into a fault plan. @throws SimulatorError SIM_CLI_USAGE */
export function parseFaultFlags(specs: readonly string[]): FaultPlan {
  const plan: Record<string, number> = {};
  for (const spec of specs) {
    const match = /^([a-z-]+)=(\d+)$/.exec(spec);
    const name = match?.[1] ?? '';
    if (match === null || !(name in FAULT_FLAG_NAMES)) {
      const known = Object.keys(FAULT_FLAG_NAMES).join(', ');
      throw new SimulatorError('SIM_CLI_USAGE', `--fault: expected NAME=N with NAME one of ${known}, got "${spec}"`);
    }
    const count = Number(match[2]);
    if (name !== 'power-loss-after-bytes' && count < 1) {
      throw new SimulatorError('SIM_CLI_USAGE', `--fault: ${name} counts from 1, got ${count}`);
    }
    plan[FAULT_FLAG_NAMES[name as FaultFlagName]] = count;
  }
  return plan;
}
