import { type WireStats } from '../bootloader/index.js';
import { type PlanConflict } from '../planner/plan.js';
import { type ChipFamily } from '../profiles/index.js';
import { type DeviceReadout } from './read-device.js';
import {
  type ConfirmReadStats,
  type CycleError,
  type CycleOutcome,
  type CyclePhase,
  type CycleResult,
  type PlanSummary,
  type VerifyMismatch,
} from './types.js';

/** A range of OTP data bytes (offsets from OTP byte 0), e.g. a secret layout field. */
export interface ByteRange {
  readonly offsetBytes: number;
  readonly lengthBytes: number;
}

export interface JsonRenderOptions {
  /**
   * OTP data ranges whose values must not leave the process (secret fields): rendered as "**" per
   * byte in hex dumps, and as null in mismatches and conflicts.
   */
  readonly redact?: readonly ByteRange[];
}

/** Hex text of a byte, or "**" for a redacted one. */
const REDACTED_HEX = '**';

type Nullable<T, K extends keyof T> = Omit<T, K> & { readonly [P in K]: T[P] | null };
type ByteConflict = Extract<PlanConflict, { reason: 'byte-conflict' }>;

/** A verify mismatch with its values hidden (null) when it falls in a redacted range. */
export type VerifyMismatchJson = Nullable<VerifyMismatch, 'expected' | 'actual'>;
/** A plan conflict with its byte values hidden (null) when it falls in a redacted range. */
export type PlanConflictJson = Exclude<PlanConflict, ByteConflict> | Nullable<ByteConflict, 'expected' | 'actual'>;

/** `CycleResult` as JSON-ready data (see `cycleResultToJson`). */
export interface CycleResultJson {
  readonly outcome: CycleOutcome;
  readonly family: ChipFamily | null;
  readonly productId: number | null;
  readonly bootloaderVersion: number | null;
  readonly uid: string | null;
  /** Hex, "**" per redacted byte. */
  readonly otpData: string | null;
  readonly lockBytes: string | null;
  readonly bytesWritten: number;
  readonly blocksLocked: number;
  readonly plan: PlanSummary | null;
  readonly conflicts: readonly PlanConflictJson[];
  readonly mismatches: readonly VerifyMismatchJson[];
  readonly error: CycleError | null;
  readonly durationsMs: Readonly<Record<CyclePhase, number>>;
  readonly totalMs: number;
  readonly wire: WireStats;
  readonly confirmReads: ConfirmReadStats;
}

/** `DeviceReadout` as JSON-ready data (see `deviceReadoutToJson`). */
export type DeviceReadoutJson = Omit<DeviceReadout, 'otpData' | 'lockBytes'> & {
  /** Hex, "**" per redacted byte. */
  readonly otpData: string;
  readonly lockBytes: string;
};

/**
 * Renders a cycle result for logs, job results and API responses: Uint8Array → lower-case hex,
 * undefined → null, and every byte inside `options.redact` hidden (OTP data, mismatches, conflicts).
 */
export function cycleResultToJson(result: CycleResult, options: JsonRenderOptions = {}): CycleResultJson {
  const secret = isRedacted(options.redact ?? []);
  return {
    outcome: result.outcome,
    family: result.family ?? null,
    productId: result.productId ?? null,
    bootloaderVersion: result.bootloaderVersion ?? null,
    uid: result.uid ?? null,
    otpData: result.otpData === undefined ? null : toHex(result.otpData, secret),
    lockBytes: result.lockBytes === undefined ? null : toHex(result.lockBytes, () => false),
    bytesWritten: result.bytesWritten,
    blocksLocked: result.blocksLocked,
    plan: result.plan === undefined ? null : { ...result.plan, blocksToLock: [...result.plan.blocksToLock] },
    conflicts: result.conflicts.map((conflict) => redactConflict(conflict, secret)),
    mismatches: result.mismatches.map((m) => redactMismatch(m, secret)),
    error: result.error ?? null,
    durationsMs: { ...result.durationsMs },
    totalMs: result.totalMs,
    wire: { ...result.wire },
    confirmReads: { ...result.confirmReads, wire: { ...result.confirmReads.wire } },
  };
}

/** Renders a `readDeviceOtp` result the same way. */
export function deviceReadoutToJson(readout: DeviceReadout, options: JsonRenderOptions = {}): DeviceReadoutJson {
  return {
    ...readout,
    otpData: toHex(readout.otpData, isRedacted(options.redact ?? [])),
    lockBytes: toHex(readout.lockBytes, () => false),
  };
}

function isRedacted(ranges: readonly ByteRange[]): (offsetBytes: number) => boolean {
  return (offset) => ranges.some((r) => offset >= r.offsetBytes && offset < r.offsetBytes + r.lengthBytes);
}

function toHex(bytes: Uint8Array, secret: (offsetBytes: number) => boolean): string {
  let text = '';
  for (const [offset, byte] of bytes.entries())
    text += secret(offset) ? REDACTED_HEX : byte.toString(16).padStart(2, '0');
  return text;
}

function redactMismatch(mismatch: VerifyMismatch, secret: (offsetBytes: number) => boolean): VerifyMismatchJson {
  if (mismatch.region === 'lock' || !secret(mismatch.offsetBytes)) return { ...mismatch };
  return { ...mismatch, expected: null, actual: null };
}

function redactConflict(conflict: PlanConflict, secret: (offsetBytes: number) => boolean): PlanConflictJson {
  if (conflict.reason !== 'byte-conflict' || !secret(conflict.offsetBytes)) return { ...conflict };
  return { ...conflict, expected: null, actual: null };
}
