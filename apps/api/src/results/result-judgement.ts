// The API's verdict on a station's report: the station says what it read back, the API decides.
// What this can and cannot prove is in docs/api-domain.md ("Judging a station report").
import { getProfile, type ChipFamily } from '#ingrain/otp';
import { type ReportedOutcome, type StationReport, SUCCESS_OUTCOMES } from '#ingrain/contracts';
import { AppError } from '../errors/app-error.js';
import { unmaskedSecretFields, type ByteRange } from '../identity/secret-fields.js';

/** What the device must hold, as the API recorded it at issuance. */
export interface IntendedImage {
  readonly family: ChipFamily;
  /** Every OTP data byte of the intended image, with every secret-field byte set to 0x00. */
  readonly dataWithSecretsZeroed: Uint8Array;
  /** Blocks whose lock byte must be 0x00; every other lock byte must be 0xFF. */
  readonly lockedBlocks: readonly number[];
  /** The secret fields: zero in both the intended data and the report. */
  readonly secretRanges: readonly (ByteRange & { readonly name?: string })[];
}

/** One byte that differs: data offsets from OTP byte 0, lock offsets are block indexes. */
export interface ByteDiff {
  readonly region: 'data' | 'lock';
  readonly offsetBytes: number;
  readonly expected: number;
  readonly actual: number;
}

/** The chip is not the one bound, or not of the layout's family: expected and actual as text. */
export interface IdentityDiff {
  readonly region: 'chip-uid' | 'family' | 'product-id';
  readonly offsetBytes: 0;
  readonly expected: string;
  readonly actual: string;
}

export type ReportDiff = ByteDiff | IdentityDiff;

export type QuarantineReason =
  | 'station-conflict'
  | 'station-verify-failed'
  | 'station-wrong-device'
  | 'station-protected'
  | 'identity-mismatch'
  | 'readback-mismatch';

export type Judgement =
  | { readonly verdict: 'provisioned' }
  | {
      readonly verdict: 'quarantined';
      readonly reason: QuarantineReason;
      /** At most {@link MAX_DIFF_ENTRIES}: identity first, then data, then lock bytes. */
      readonly diff: readonly ReportDiff[];
      /** Differences left out of `diff` to bound its size. */
      readonly omittedDiffs: number;
    }
  | { readonly verdict: 'retry'; readonly reason: string };

/** Largest diff recorded with a quarantine (a blank 1 KiB chip would otherwise give 1024 entries). */
export const MAX_DIFF_ENTRIES = 256;

const STATION_FAILURES: Partial<Record<ReportedOutcome, QuarantineReason>> = {
  conflict: 'station-conflict',
  'verify-failed': 'station-verify-failed',
  'wrong-device': 'station-wrong-device',
  protected: 'station-protected',
};

/**
 * Judges a station report against the intended image and the chip bound at claim time:
 * - `link-error` → `retry` (the device stays claimed, the job runs again);
 * - `conflict`, `verify-failed`, `wrong-device`, `protected` → `quarantined`, with whatever
 *   differences the report shows (a claimed device whose chip turned out readout-protected);
 * - `provisioned` / `already-provisioned` → `provisioned` only if the UID equals the bound one, the
 *   family and product ID are the layout's, every data byte equals the intended one (secret fields
 *   compared as zero) and every lock byte is 0x00 exactly for the locked blocks and 0xFF elsewhere;
 *   otherwise `quarantined` with the differences.
 * Pure: same input, same verdict.
 *
 * @throws AppError `REPORT_SECRET_BYTES_PRESENT` when the report's data holds non-zero bytes in
 *   a secret field (the station must zero them; nothing is recorded and the device stays claimed);
 *   `REPORT_INCOMPLETE` when a success report's data or lock bytes do not have the intended sizes.
 */
export function judgeReport(intended: IntendedImage, boundChipUid: string, report: StationReport): Judgement {
  if (report.outcome === 'link-error') {
    return { verdict: 'retry', reason: `link-error: ${report.error?.code ?? 'unknown'}` };
  }
  const comparable = report.otpData !== null && report.otpData.length === intended.dataWithSecretsZeroed.length;
  if (comparable) assertSecretsMasked(intended, report.otpData);
  const identity = identityDiffs(intended.family, boundChipUid, report);
  const stationFailure = STATION_FAILURES[report.outcome];
  if (stationFailure !== undefined) {
    return quarantine(stationFailure, [...identity, ...(comparable ? contentDiffs(intended, report) : [])]);
  }
  if (!SUCCESS_OUTCOMES.has(report.outcome)) throw new Error(`unhandled outcome ${report.outcome}`);
  if (identity.length > 0) return quarantine('identity-mismatch', identity);
  assertComplete(intended, report);
  const content = contentDiffs(intended, report);
  return content.length === 0 ? { verdict: 'provisioned' } : quarantine('readback-mismatch', content);
}

function quarantine(reason: QuarantineReason, diffs: readonly ReportDiff[]): Judgement {
  return {
    verdict: 'quarantined',
    reason,
    diff: diffs.slice(0, MAX_DIFF_ENTRIES),
    omittedDiffs: Math.max(0, diffs.length - MAX_DIFF_ENTRIES),
  };
}

function assertSecretsMasked(intended: IntendedImage, data: Uint8Array): void {
  const unmasked = unmaskedSecretFields(data, intended.secretRanges);
  if (unmasked.length > 0) {
    throw new AppError(
      'REPORT_SECRET_BYTES_PRESENT',
      `the report carries secret-field bytes that must be zeroed by the station: ${unmasked.join(', ')}`,
    );
  }
}

function assertComplete(intended: IntendedImage, report: StationReport): void {
  const expectedLocks = expectedLockBytes(intended);
  if (report.otpData?.length !== intended.dataWithSecretsZeroed.length) {
    throw new AppError('REPORT_INCOMPLETE', `a ${report.outcome} report must carry all OTP data bytes`);
  }
  if (report.lockBytes?.length !== expectedLocks.length) {
    throw new AppError('REPORT_INCOMPLETE', `a ${report.outcome} report must carry all lock bytes`);
  }
}

function identityDiffs(family: ChipFamily, boundChipUid: string, report: StationReport): IdentityDiff[] {
  const diffs: IdentityDiff[] = [];
  const bound = boundChipUid.toLowerCase();
  if (report.chipUid !== null && report.chipUid !== bound) {
    diffs.push({ region: 'chip-uid', offsetBytes: 0, expected: bound, actual: report.chipUid });
  }
  if (report.family !== null && report.family !== family) {
    diffs.push({ region: 'family', offsetBytes: 0, expected: family, actual: report.family });
  }
  const productIds = getProfile(family).productIds;
  if (report.productId !== null && !productIds.includes(report.productId)) {
    const expected = productIds.map((id) => `0x${id.toString(16)}`).join('|');
    diffs.push({ region: 'product-id', offsetBytes: 0, expected, actual: `0x${report.productId.toString(16)}` });
  }
  return diffs;
}

/** The lock bytes the intended image leads to: 0x00 for locked blocks, 0xFF for the others. */
export function expectedLockBytes(intended: Pick<IntendedImage, 'family' | 'lockedBlocks'>): Uint8Array {
  const profile = getProfile(intended.family);
  const count = profile.lockBaseAddress === null ? 0 : profile.blockCount;
  const lockBytes = new Uint8Array(count).fill(0xff);
  for (const block of intended.lockedBlocks) lockBytes[block] = 0x00;
  return lockBytes;
}

function contentDiffs(intended: IntendedImage, report: StationReport): ByteDiff[] {
  const diffs = byteDiffs('data', intended.dataWithSecretsZeroed, report.otpData);
  const expectedLocks = expectedLockBytes(intended);
  if (report.lockBytes?.length === expectedLocks.length)
    diffs.push(...byteDiffs('lock', expectedLocks, report.lockBytes));
  return diffs;
}

function byteDiffs(region: ByteDiff['region'], expected: Uint8Array, actual: Uint8Array | null): ByteDiff[] {
  const diffs: ByteDiff[] = [];
  if (actual === null) return diffs;
  for (let offset = 0; offset < expected.length; offset++) {
    const want = expected[offset]!;
    const got = actual[offset]!;
    if (want !== got) diffs.push({ region, offsetBytes: offset, expected: want, actual: got });
  }
  return diffs;
}
