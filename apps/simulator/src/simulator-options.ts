import { CHIP_FAMILIES, type ChipFamily } from '#ingrain/otp';
import { z } from 'zod';
import { SimulatorError } from '#ingrain/simulator';
import { type FaultPlan, faultPlanSchema } from '#ingrain/simulator';
import { DEFAULT_WIRING_TEXT } from './pty/line-control.js';

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  readonly family: ChipFamily;
  /** Number of devices, each on its own pty pair. Default 1. */
  readonly count?: number;
  /** Model the wire at this baud rate (8E1, 11 bits per byte). Default: answer immediately. */
  readonly baudTiming?: number;
  /** Programming time per Write Memory payload byte when `baudTiming` is set. Default 16 µs. */
  readonly programTimePerByteUs?: number;
  /** With `baudTiming`: the USB adapter's latency per transfer, added to each reply (ms). Default 0. */
  readonly transferLatencyMs?: number;
  /** Directory of the state files; without it the chips live in memory only. */
  readonly stateDir?: string;
  /** UIDs of devices 0, 1, … as 24 hex digits (memory order). Missing ones are random. */
  readonly uids?: readonly string[];
  /** Get ID answer, one of the family's product IDs. */
  readonly productId?: number;
  /** Fault plan armed on every device at start. */
  readonly faults?: FaultPlan;
  /** Answer to a write into a locked block: ACK (default) or NACK. */
  readonly lockedWriteAck?: boolean;
  /** Where log lines go. Default: discarded. */
  readonly log?: (line: string) => void;
  /**
   * Feeder mode: each device slot is a fixture; when the station releases its chip, a new blank
   * chip (new random UID, no faults) is inserted, up to `chipsPerFixture` chips per fixture (the
   * first included; default no limit). Releases arrive as files in `releaseDir` (the station's
   * INGRAIN_FIXTURE_RELEASE_DIR) or through `simulator.feeder.release()`.
   */
  readonly feeder?: { readonly chipsPerFixture?: number; readonly releaseDir?: string };
  /**
   * Model BOOT0 and NRST behind fixture lines: each device gets a control socket
   * `<dir>/fixture-<index>.sock` (the station's `sim` line driver) and its chip answers the
   * bootloader only after a reset with BOOT0 high; otherwise it runs its application. Without this
   * option every chip sits in its bootloader (today's behaviour).
   */
  readonly lineControl?: {
    readonly dir: string;
    /** `boot0=SIGNAL,nrst=SIGNAL` (see `parseWiring`). Default `boot0=dtr,nrst=rts`. */
    readonly wiring?: string;
    /** What the application prints when it starts; absent: a silent application. */
    readonly banner?: string;
  };
}

/** docs/hardware.md §link: tested baud range 1200–115200; the model accepts up to 4 Mbaud for experiments. */
const baudRate = z.int().min(1200).max(4_000_000);

const simulatorOptionsSchema = z.strictObject({
  family: z.enum(CHIP_FAMILIES),
  count: z.int().min(1).max(64).default(1),
  baudTiming: baudRate.optional(),
  programTimePerByteUs: z.number().min(0).max(10_000).default(16),
  transferLatencyMs: z.number().min(0).max(1000).default(0),
  stateDir: z.string().min(1).optional(),
  uids: z.array(z.string().regex(/^[0-9a-fA-F]{24}$/, '24 hex digits')).optional(),
  productId: z.int().min(0).max(0xffff).optional(),
  faults: faultPlanSchema.optional(),
  lockedWriteAck: z.boolean().default(true),
  log: z.custom<(line: string) => void>((value) => typeof value === 'function').optional(),
  feeder: z
    .strictObject({
      chipsPerFixture: z.int().min(1).max(1_000_000).optional(),
      releaseDir: z.string().min(1).optional(),
    })
    .optional(),
  lineControl: z
    .strictObject({
      dir: z.string().min(1),
      wiring: z.string().min(1).default(DEFAULT_WIRING_TEXT),
      banner: z.string().max(1024).optional(),
    })
    .optional(),
});

export type ParsedSimulatorOptions = z.infer<typeof simulatorOptionsSchema>;

/** @throws SimulatorError SIM_INVALID_OPTIONS naming the bad option */
export function parseSimulatorOptions(options: SimulatorOptions): ParsedSimulatorOptions {
  const parsed = simulatorOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`);
    throw new SimulatorError('SIM_INVALID_OPTIONS', `invalid simulator options: ${issues.join('; ')}`, {
      cause: parsed.error,
    });
  }
  if ((parsed.data.uids?.length ?? 0) > parsed.data.count) {
    throw new SimulatorError(
      'SIM_INVALID_OPTIONS',
      `uids: ${parsed.data.uids?.length} UIDs for ${parsed.data.count} devices`,
    );
  }
  return parsed.data;
}
