// Station reports made from the claim they answer, sent as a station would: shared by the
// provisioning integration tests and bench:e2e's API limit.
import { randomUUID } from 'node:crypto';
import type { StationReportBody } from '#ingrain/contracts';
import { tryHexToBytes } from '#ingrain/encoding';
import { getProfile, type ChipFamily } from '#ingrain/otp';

/** The parts of a claim response a report is made from (see DeviceClaim). */
export interface ClaimedImage {
  readonly chipUid: string;
  readonly jobId: string | null;
  readonly image: { readonly family: string; readonly dataHex: string; readonly lockBytesHex: string };
  readonly secretRanges: readonly { readonly offsetBytes: number; readonly lengthBytes: number }[];
}

/** The claimed image's data with every secret range zeroed (what a station reports). */
export function maskedData(claim: ClaimedImage): Uint8Array {
  const data = tryHexToBytes(claim.image.dataHex);
  if (data === undefined) throw new Error('claim dataHex is not hex');
  for (const range of claim.secretRanges) data.fill(0, range.offsetBytes, range.offsetBytes + range.lengthBytes);
  return data;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * The report of a station that wrote and locked exactly the claimed image: outcome `provisioned`,
 * the masked read-back, the expected lock bytes, the bound UID. Override any member.
 */
export function successReport(claim: ClaimedImage, overrides: Partial<StationReportBody> = {}): StationReportBody {
  const family = claim.image.family as ChipFamily;
  const data = maskedData(claim);
  const finishedAt = new Date();
  return {
    outcome: 'provisioned',
    chipUid: claim.chipUid,
    productId: getProfile(family).productIds[0] ?? 0,
    family,
    otpData: hex(data),
    lockBytes: claim.image.lockBytesHex,
    bytesWritten: data.length,
    blocksLocked: claim.image.lockBytesHex.match(/00/g)?.length ?? 0,
    durationsMs: { connect: 5, identify: 2, read: 10, plan: 0, write: 40, verify: 12, lock: 3 },
    totalMs: 72,
    wire: { bytesSent: 1200, bytesReceived: 1800, roundTrips: 40 },
    confirmReads: { count: 2, wire: { bytesSent: 20, bytesReceived: 1100, roundTrips: 4 }, durationMs: 8 },
    error: null,
    startedAt: new Date(finishedAt.getTime() - 72).toISOString(),
    finishedAt: finishedAt.toISOString(),
    ...(claim.jobId === null ? {} : { jobId: claim.jobId }),
    ...overrides,
  };
}

/** A report of a link error before anything was written (the device stays claimed). */
export function linkErrorReport(claim: ClaimedImage, overrides: Partial<StationReportBody> = {}): StationReportBody {
  return successReport(claim, {
    outcome: 'link-error',
    otpData: null,
    lockBytes: null,
    bytesWritten: 0,
    blocksLocked: 0,
    error: { code: 'BOOTLOADER_TIMEOUT', phase: 'connect', stage: 'sync', message: 'no answer to 0x7F' },
    ...overrides,
  });
}

/** A random chip UID (12 bytes, as STM32 UIDs are), lowercase hex. */
export function randomChipUid(): string {
  return randomUUID().replace(/-/g, '').slice(0, 24);
}
