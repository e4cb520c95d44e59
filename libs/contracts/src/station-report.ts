// What a station reports after a provisioning cycle (POST /v1/devices/{id}/result): the station
// builds the body (apps/station buildStationReport), the API parses it once at its edge and then
// judges it (apps/api result-judgement.ts). One declaration for both.
import {
  CHIP_FAMILIES,
  getProfile,
  lockByteCount,
  otpSizeBytes,
  type ChipFamily,
  type CycleOutcome,
  type CyclePhase,
  type ProtocolStage,
} from '#ingrain/otp';
import { tryHexToBytes } from '#ingrain/encoding';
import { z } from 'zod';
import { ContractError } from './errors.js';

/** Outcomes a station reports. `planned` (a dry run) never reaches the API. */
export const REPORTED_OUTCOMES = [
  'provisioned',
  'already-provisioned',
  'conflict',
  'verify-failed',
  'wrong-device',
  'link-error',
  'protected',
] as const satisfies readonly CycleOutcome[];
export type ReportedOutcome = (typeof REPORTED_OUTCOMES)[number];

const PHASES = [
  'connect',
  'identify',
  'read',
  'plan',
  'write',
  'verify',
  'lock',
] as const satisfies readonly CyclePhase[];
const STAGES = ['sync', 'command', 'address', 'length', 'data', 'reply'] as const satisfies readonly ProtocolStage[];

// Compile-time guard: the tuples above list every member of the libs/otp unions.
type Covers<All, Listed> = [All] extends [Listed] ? true : never;
const _coverage: [
  Covers<Exclude<CycleOutcome, 'planned'>, ReportedOutcome>,
  Covers<CyclePhase, (typeof PHASES)[number]>,
  Covers<ProtocolStage, (typeof STAGES)[number]>,
] = [true, true, true];
void _coverage;

/** Outcomes that claim the chip now holds the target, read back and verified by the station. */
export const SUCCESS_OUTCOMES: ReadonlySet<ReportedOutcome> = new Set(['provisioned', 'already-provisioned']);

/** Outcomes that must say why (the error's code, phase and stage). */
const ERROR_OUTCOMES: ReadonlySet<ReportedOutcome> = new Set(['link-error', 'wrong-device', 'protected']);

const MAX_UID_BYTES = 32;
const MAX_OTP_BYTES = 4096;
const MAX_LOCK_BYTES = 256;
const MAX_DURATION_MS = 86_400_000;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

const hex = (maxBytes: number, what: string) =>
  z
    .string()
    .regex(/^(?:[0-9a-fA-F]{2})*$/, `${what} must be hex, two digits per byte`)
    .max(2 * maxBytes, `${what} must be at most ${maxBytes} bytes`);
const durationMs = z.number().min(0, 'must be ≥ 0').max(MAX_DURATION_MS, 'must be at most one day');
const count = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
const wireStats = z.strictObject({ bytesSent: count, bytesReceived: count, roundTrips: count });
const instant = z
  .string()
  .regex(RFC3339_UTC, 'must be an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SS[.fff]Z)')
  .refine((text) => !Number.isNaN(Date.parse(text)), 'must be a real instant');

/** The report body as it travels (JSON, hex strings). Strict: unknown keys are refused. */
export const stationReportBodySchema = z
  .strictObject({
    outcome: z.enum(REPORTED_OUTCOMES),
    /** Unique device ID as two equal reads gave it (null if never read). */
    chipUid: hex(MAX_UID_BYTES, 'chipUid').min(2, 'chipUid must be at least 1 byte').nullable(),
    /** Get ID product ID (null if the two answers differed or it was never asked). */
    productId: z.int().min(0).max(0xffff).nullable(),
    family: z.enum(CHIP_FAMILIES).nullable(),
    /** Every OTP data byte of the last trusted read, with every secret-field byte set to 00. */
    otpData: hex(MAX_OTP_BYTES, 'otpData').nullable(),
    /** Every lock byte of the same read ('' on families without lock bytes). */
    lockBytes: hex(MAX_LOCK_BYTES, 'lockBytes').nullable(),
    bytesWritten: z.int().min(0).max(MAX_OTP_BYTES),
    blocksLocked: z.int().min(0).max(MAX_LOCK_BYTES),
    durationsMs: z.strictObject(
      Object.fromEntries(PHASES.map((phase) => [phase, durationMs])) as Record<CyclePhase, typeof durationMs>,
    ),
    totalMs: durationMs,
    wire: wireStats,
    confirmReads: z.strictObject({ count, wire: wireStats, durationMs }),
    /** Why a cycle ended in link-error, wrong-device or protected (null otherwise). */
    error: z
      .strictObject({
        code: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'code must be an UPPER_SNAKE error code'),
        phase: z.enum(PHASES),
        stage: z.enum(STAGES).nullable(),
        message: z
          .string()
          .max(500)
          .regex(/^[^\p{Cc}]*$/u, 'message must not contain control characters'),
      })
      .nullable(),
    /** The station's clock when the cycle started and ended. */
    startedAt: instant,
    finishedAt: instant,
    /** The queue job that ran the cycle (absent for a manual resume). */
    jobId: z
      .string()
      .regex(/^[\x21-\x7e]{1,128}$/, 'jobId must be 1-128 printable ASCII characters without spaces')
      .optional(),
  })
  .superRefine(checkCrossFieldRules);

/**
 * The report body as it travels (JSON, hex strings): what the station builds, spools and sends and
 * what the API parses with {@link parseStationReport}.
 */
export type StationReportBody = z.input<typeof stationReportBodySchema>;
type ParsedBody = z.output<typeof stationReportBodySchema>;

/** A parsed report: hex decoded, times as Dates. Byte arrays are fresh copies. */
export interface StationReport {
  readonly outcome: ReportedOutcome;
  /** Lowercase hex. */
  readonly chipUid: string | null;
  readonly productId: number | null;
  readonly family: ChipFamily | null;
  readonly otpData: Uint8Array | null;
  readonly lockBytes: Uint8Array | null;
  readonly bytesWritten: number;
  readonly blocksLocked: number;
  readonly durationsMs: Readonly<Record<CyclePhase, number>>;
  readonly totalMs: number;
  readonly wire: ParsedBody['wire'];
  readonly confirmReads: ParsedBody['confirmReads'];
  readonly error: ParsedBody['error'];
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly jobId: string | undefined;
}

function checkCrossFieldRules(body: ParsedBody, context: z.RefinementCtx): void {
  const issue = (path: string, message: string) => context.addIssue({ code: 'custom', path: [path], message });
  if (SUCCESS_OUTCOMES.has(body.outcome)) {
    for (const key of ['chipUid', 'productId', 'family', 'otpData', 'lockBytes'] as const) {
      if (body[key] === null) issue(key, `${key} is required when the outcome is ${body.outcome}`);
    }
    if (body.error !== null) issue('error', `error must be null when the outcome is ${body.outcome}`);
  }
  if (ERROR_OUTCOMES.has(body.outcome) && body.error === null) {
    issue('error', `error is required when the outcome is ${body.outcome}`);
  }
  if (Date.parse(body.finishedAt) < Date.parse(body.startedAt)) issue('finishedAt', 'finishedAt is before startedAt');
  if (body.family !== null) checkSizes(body, body.family, issue);
}

function checkSizes(body: ParsedBody, family: ChipFamily, issue: (path: string, message: string) => void): void {
  const profile = getProfile(family);
  const dataBytes = otpSizeBytes(profile);
  if (body.otpData !== null && body.otpData.length !== 2 * dataBytes) {
    issue('otpData', `otpData must be ${dataBytes} bytes on ${family}, got ${body.otpData.length / 2}`);
  }
  const lockBytes = lockByteCount(profile);
  if (body.lockBytes !== null && body.lockBytes.length !== 2 * lockBytes) {
    issue('lockBytes', `lockBytes must be ${lockBytes} bytes on ${family}, got ${body.lockBytes.length / 2}`);
  }
}

function bytes(text: string | null): Uint8Array | null {
  return text === null ? null : (tryHexToBytes(text) ?? null);
}

/**
 * Parses an untrusted report body: strict schema (unknown keys refused), then the cross-field
 * rules: a success outcome carries chipUid, productId, family, otpData and lockBytes and no error;
 * link-error, wrong-device and protected carry an error; data and lock sizes match the reported family;
 * finishedAt is not before startedAt. Hex is returned as bytes, the UID as lowercase hex.
 *
 * @throws ContractError `STATION_REPORT_INVALID` (the API answers 400) with one `{ path, message }`
 *   issue per problem (`body.otpData`, `body.durationsMs.lock`); no message contains a submitted value.
 */
export function parseStationReport(body: unknown): StationReport {
  const parsed = stationReportBodySchema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: ['body', ...issue.path.map(String)].join('.'),
      message: issue.message,
    }));
    throw new ContractError('STATION_REPORT_INVALID', `the station report is invalid: ${issues.length} problem(s)`, {
      issues,
    });
  }
  const value = parsed.data;
  return {
    ...value,
    chipUid: value.chipUid?.toLowerCase() ?? null,
    otpData: bytes(value.otpData),
    lockBytes: bytes(value.lockBytes),
    startedAt: new Date(value.startedAt),
    finishedAt: new Date(value.finishedAt),
    jobId: value.jobId,
  };
}
