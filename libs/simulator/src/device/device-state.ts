import { tryHexToBytes } from '#ingrain/encoding';
import { CHIP_FAMILIES, type ChipFamily } from '#ingrain/otp';
import { z } from 'zod';
import { type DamagedByte } from './otp-memory.js';
import { type ProgramCountsState } from '../faults/program-counts.js';
import { READOUT_PROTECTION_LEVELS, type ReadoutProtectionLevel } from './readout-protection.js';

/** What survives a power cycle of a simulated chip: what the state file holds. */
export interface DeviceState {
  readonly formatVersion: 1;
  readonly family: ChipFamily;
  readonly productId: number;
  /** The 12 UID bytes in memory order, lower-case hex. */
  readonly uidHex: string;
  /** OTP data bytes, lower-case hex. */
  readonly dataHex: string;
  /** Lock bytes, lower-case hex (empty on L4). */
  readonly lockBytesHex: string;
  readonly damaged: readonly DamagedByte[];
  /** Programming operations per OTP byte (absent in files written before it was kept). */
  readonly programCounts?: ProgramCountsState;
  /** Absent = 'none' (state files written before readout protection was modelled). */
  readonly readoutProtection?: ReadoutProtectionLevel;
}

const hex = z.string().regex(/^(?:[0-9a-f]{2})*$/, 'lower-case hex bytes');

/** Validates a state file's JSON. */
export const deviceStateSchema = z.strictObject({
  formatVersion: z.literal(1),
  family: z.enum(CHIP_FAMILIES),
  productId: z.int().min(0).max(0xffff),
  uidHex: hex,
  dataHex: hex,
  lockBytesHex: hex,
  damaged: z.array(
    z.strictObject({
      area: z.enum(['data', 'lock']),
      offsetBytes: z.int().nonnegative(),
      reason: z.enum(['reprogrammed', 'double-word-closed', 'illegal-lock-value']),
    }),
  ),
  programCounts: z.strictObject({ dataHex: hex, lockHex: hex }).optional(),
  readoutProtection: z.enum(READOUT_PROTECTION_LEVELS).optional(),
}) satisfies z.ZodType<DeviceState>;

/** Bytes of a hex field of a state file (already checked by {@link deviceStateSchema}). */
export function stateHexToBytes(hexText: string): Uint8Array {
  return tryHexToBytes(hexText) ?? new Uint8Array(0);
}
