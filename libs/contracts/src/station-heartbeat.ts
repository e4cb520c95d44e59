// What a station tells the API about itself every few seconds (POST /v1/stations/me/heartbeat): its
// version, and each fixture's state and last cycle times. The station builds the body (apps/station
// worker/heartbeat), the API validates it with this schema at its edge and keeps the latest per
// station. One declaration for both. A heartbeat carries states, codes and timings only: never an
// image, a secret field, a chip's OTP data or a token.
import { CYCLE_PHASES, type CyclePhase } from '#ingrain/otp';
import { z } from 'zod';

/** What a fixture is doing, as the Line page shows it. */
export const FIXTURE_STATES = ['empty', 'chip-present', 'programming', 'done', 'failed'] as const;
export type FixtureState = (typeof FIXTURE_STATES)[number];

/**
 * The step a `programming` fixture is in: the claim, the cycle's phases (libs/otp), the report.
 * `null` for every other state.
 */
export const FIXTURE_PHASES = [
  'claiming',
  'connect',
  'identify',
  'read',
  'plan',
  'write',
  'verify',
  'lock',
  'reporting',
] as const;
export type FixturePhase = (typeof FIXTURE_PHASES)[number];

/** At most this many fixtures per station (a heartbeat's size stays bounded). */
export const MAX_HEARTBEAT_FIXTURES = 64;
const MAX_DURATION_MS = 86_400_000;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

const instant = z
  .string()
  .regex(RFC3339_UTC, 'must be an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SS[.fff]Z)')
  .refine((text) => !Number.isNaN(Date.parse(text)), 'must be a real instant');
const durationMs = z.number().min(0, 'must be ≥ 0').max(MAX_DURATION_MS, 'must be at most one day');
const code = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'must be an UPPER_SNAKE error code');
const printable = (max: number, what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .max(max, `${what} must be at most ${max} characters`)
    .regex(/^[\x20-\x7e]+$/, `${what} must be printable ASCII`);

/** The last finished cycle of a fixture: its outcome and milliseconds per phase. */
export const lastCycleSchema = z.strictObject({
  outcome: z.string().regex(/^[a-z][a-z-]{0,31}$/, 'must be a cycle outcome (lowercase, dashes)'),
  durationsMs: z.strictObject(
    Object.fromEntries(CYCLE_PHASES.map((phase) => [phase, durationMs])) as Record<CyclePhase, typeof durationMs>,
  ),
  totalMs: durationMs,
  finishedAt: instant,
});
export type LastCycle = z.output<typeof lastCycleSchema>;

export const fixtureHeartbeatSchema = z
  .strictObject({
    /** The fixture's serial port, as in the station's configuration (`/dev/ttyUSB0`). */
    port: printable(200, 'port'),
    state: z.enum(FIXTURE_STATES),
    /** The step of a `programming` fixture; null otherwise. */
    phase: z.enum(FIXTURE_PHASES).nullable(),
    /** Why a `failed` fixture failed (a STATION_… or link error code); null otherwise. */
    reason: code.nullable(),
    /** The device the fixture works on or last finished; null when none. */
    deviceId: z.uuid('must be a UUID').nullable(),
    /** When the fixture entered this state (the station's clock). */
    since: instant,
    lastCycle: lastCycleSchema.nullable(),
  })
  .superRefine((fixture, context) => {
    const issue = (path: string, message: string) => context.addIssue({ code: 'custom', path: [path], message });
    if (fixture.state === 'programming' && fixture.phase === null)
      issue('phase', 'phase is required while programming');
    if (fixture.state !== 'programming' && fixture.phase !== null)
      issue('phase', `phase must be null when the state is ${fixture.state}`);
    if (fixture.state === 'failed' && fixture.reason === null) issue('reason', 'reason is required when failed');
    if (fixture.state !== 'failed' && fixture.reason !== null)
      issue('reason', `reason must be null when the state is ${fixture.state}`);
  });
export type FixtureHeartbeat = z.output<typeof fixtureHeartbeatSchema>;

/**
 * The heartbeat body as it travels. `bootId` + `sequence` order the heartbeats of one station: a
 * heartbeat older than the stored one (same boot, lower sequence: delivered late through another
 * API process) is not stored over it; a new boot always is.
 */
export const stationHeartbeatSchema = z.strictObject({
  /** Random per station process start. */
  bootId: z.uuid('must be a UUID'),
  /** Counts the heartbeats of this boot from 0. */
  sequence: z.int().min(0).max(2_147_483_647),
  /** The station's clock when it sent the heartbeat. */
  sentAt: instant,
  /** The station software's version (`0.1.0`). */
  version: printable(64, 'version'),
  fixtures: z
    .array(fixtureHeartbeatSchema)
    .max(MAX_HEARTBEAT_FIXTURES, `at most ${MAX_HEARTBEAT_FIXTURES} fixtures`)
    .refine((list) => new Set(list.map((f) => f.port)).size === list.length, 'fixture ports must be unique'),
});

/** What the station sends. */
export type StationHeartbeatBody = z.input<typeof stationHeartbeatSchema>;
/** What the API stores and serves. */
export type StationHeartbeat = z.output<typeof stationHeartbeatSchema>;
