import { type StationReportBody } from '#ingrain/contracts';
import { type ByteRange, type CycleResult, findProfileByProductId } from '#ingrain/otp';
import { bytesToHex } from '#ingrain/encoding';

/** What the report adds to a cycle result. */
export interface ReportContext {
  readonly secretRanges: readonly ByteRange[];
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** The queue job that ran the cycle; absent when the chip was finished for another device's job. */
  readonly jobId?: string | undefined;
}

/** The API's bound on an error message (docs/api-domain.md). */
const MAX_MESSAGE_CHARS = 500;

/**
 * Builds the report of one cycle: the body of POST /v1/devices/{id}/result (docs/api-domain.md,
 * "Station reports"), the contract's StationReportBody, which the API parses and judges. Secret ranges are zeroed in a copy of the OTP data, so the
 * report (which goes to the spool, the API and the job) never carries a secret byte.
 *
 * @throws RangeError for a `planned` result (a dry run is never reported).
 */
export function buildStationReport(result: CycleResult, context: ReportContext): StationReportBody {
  if (result.outcome === 'planned') throw new RangeError('a dry run is never reported');
  return {
    outcome: result.outcome,
    chipUid: result.uid ?? null,
    productId: result.productId ?? null,
    family: result.family ?? null,
    otpData: result.otpData === undefined ? null : bytesToHex(maskSecretRanges(result.otpData, context.secretRanges)),
    lockBytes: result.lockBytes === undefined ? null : bytesToHex(result.lockBytes),
    bytesWritten: result.bytesWritten,
    blocksLocked: result.blocksLocked,
    durationsMs: { ...result.durationsMs },
    totalMs: result.totalMs,
    wire: { ...result.wire },
    confirmReads: { ...result.confirmReads, wire: { ...result.confirmReads.wire } },
    error: result.error === undefined ? null : { ...result.error, message: cleanMessage(result.error.message) },
    startedAt: context.startedAt.toISOString(),
    finishedAt: context.finishedAt.toISOString(),
    ...(context.jobId === undefined ? {} : { jobId: context.jobId }),
  };
}

/** A copy of `data` with every byte inside `ranges` set to 0x00 (the report's mask value). */
export function maskSecretRanges(data: Uint8Array, ranges: readonly ByteRange[]): Uint8Array {
  const masked = Uint8Array.from(data);
  for (const range of ranges) masked.fill(0, range.offsetBytes, range.offsetBytes + range.lengthBytes);
  return masked;
}

function cleanMessage(message: string): string {
  // eslint-disable-next-line no-control-regex -- the API refuses control characters in messages
  return message.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, MAX_MESSAGE_CHARS);
}

/**
 * The report of a readout-protected chip met while a device waited for a chip (the fixture's
 * probe found it: two refused UID reads after good Get ID answers). No cycle ran and nothing was
 * read or written: no UID, no OTP, zero counts and times. The API records it on the queued device.
 */
export function buildProtectedChipReport(
  productId: number,
  context: Omit<ReportContext, 'secretRanges'>,
): StationReportBody {
  const none = { bytesSent: 0, bytesReceived: 0, roundTrips: 0 };
  return {
    outcome: 'protected',
    chipUid: null,
    productId,
    family: findProfileByProductId(productId)?.family ?? null,
    otpData: null,
    lockBytes: null,
    bytesWritten: 0,
    blocksLocked: 0,
    durationsMs: { connect: 0, identify: 0, read: 0, plan: 0, write: 0, verify: 0, lock: 0 },
    totalMs: 0,
    wire: none,
    confirmReads: { count: 0, wire: none, durationMs: 0 },
    error: {
      code: 'CHIP_READOUT_PROTECTED',
      phase: 'read',
      stage: 'command',
      message: 'the fixture probe: Get ID answered, Read Memory of the UID refused twice (readout protection)',
    },
    startedAt: context.startedAt.toISOString(),
    finishedAt: context.finishedAt.toISOString(),
    ...(context.jobId === undefined ? {} : { jobId: context.jobId }),
  };
}
