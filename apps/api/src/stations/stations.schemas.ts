import { FIXTURE_PHASES, FIXTURE_STATES, stationHeartbeatSchema } from '#ingrain/contracts';
import { z } from 'zod';
import { HpkeError, parseP256PublicKey } from '#ingrain/crypto';
import { LineName, slug } from '../catalogue/products.schemas.js';
import { requestModel, responseModel } from '../http/api-models.js';
import { nextCursorField } from '../http/cursor.js';
import { CreatedToken } from '../tokens/tokens.schemas.js';

export const StationId = slug('Station id (a slug, e.g. "line1-st3")');

/** A station's sealing public key as `ingrain-station keygen` prints it, parsed to its 65 bytes. */
const SealingPublicKey = z
  .string()
  .max(1024)
  .transform((text, context) => {
    try {
      return parseP256PublicKey(text);
    } catch (error) {
      if (!(error instanceof HpkeError)) throw error;
      context.addIssue({
        code: 'custom',
        message: 'must be a P-256 public key: SEC1 uncompressed hex (130 digits starting 04) or an SPKI PEM',
      });
      return z.NEVER;
    }
  })
  .describe(
    "The station's sealing public key (docs/sealing.md): the SEC1 hex `ingrain-station keygen` prints, or its station-key.pub.pem",
  );

export const CreateStationRequest = requestModel(
  'CreateStationRequest',
  z.strictObject({
    id: StationId,
    name: z.string().trim().min(1).max(100).describe('Human-readable station name'),
    line: LineName,
    sealingPublicKey: SealingPublicKey.optional().describe(
      'The station key claims are sealed to; without one the station cannot claim until the admin registers it',
    ),
  }),
);
export type CreateStationRequest = z.output<typeof CreateStationRequest>;

export const SealingKeyRequest = requestModel(
  'SealingKeyRequest',
  z.strictObject({ sealingPublicKey: SealingPublicKey }),
);
export type SealingKeyRequest = z.output<typeof SealingKeyRequest>;

export const StationView = responseModel(
  'Station',
  z
    .object({
      id: z.string(),
      name: z.string(),
      line: z.string(),
      createdAt: z.iso.datetime(),
      sealingKeyFingerprint: z
        .string()
        .regex(/^sha256:[0-9a-f]{64}$/)
        .nullable()
        .describe('sha256: + hex SHA-256 of the registered 65-byte sealing public key; null: none registered'),
      sealingKeyRegisteredAt: z.iso.datetime().nullable(),
    })
    .describe('A registered programming station'),
);
export type StationView = z.output<typeof StationView>;

export const CreatedStation = responseModel(
  'CreatedStation',
  z
    .object({ station: StationView, token: CreatedToken })
    .describe('A new station and its station token (the secret is in this response only)'),
);
export type CreatedStation = z.output<typeof CreatedStation>;

// ─── Heartbeats (docs/observability.md) ─────────────────────────────────────────────────────────

export const StationHeartbeatModel = requestModel('StationHeartbeat', stationHeartbeatSchema);

export const HeartbeatAck = responseModel(
  'HeartbeatAck',
  z
    .object({
      stored: z
        .boolean()
        .describe('false: a newer heartbeat of the same boot is already stored (this one arrived late)'),
      offlineAfterMs: z.int().describe('The station is shown offline when no heartbeat arrives for this long'),
    })
    .describe('The heartbeat was accepted'),
);
export type HeartbeatAck = z.output<typeof HeartbeatAck>;

const CyclePhaseMs = z.object({
  connect: z.number(),
  identify: z.number(),
  read: z.number(),
  plan: z.number(),
  write: z.number(),
  verify: z.number(),
  lock: z.number(),
});

export const FixtureView = responseModel(
  'Fixture',
  z
    .object({
      port: z.string().describe('The serial port of the fixture'),
      state: z.enum(FIXTURE_STATES),
      phase: z.enum(FIXTURE_PHASES).nullable().describe('The step while programming; null otherwise'),
      reason: z.string().nullable().describe('Why a failed fixture failed (an error code); null otherwise'),
      deviceId: z.string().nullable(),
      since: z.iso.datetime().describe("When the fixture entered this state (the station's clock)"),
      lastCycle: z
        .object({
          outcome: z.string(),
          durationsMs: CyclePhaseMs,
          totalMs: z.number(),
          finishedAt: z.iso.datetime(),
        })
        .nullable()
        .describe('The last finished cycle: outcome and milliseconds per phase'),
    })
    .describe("A fixture's state as its station last reported it"),
);
export type FixtureView = z.output<typeof FixtureView>;

export const StationStatusView = responseModel(
  'StationStatus',
  StationView.extend({
    status: z
      .enum(['online', 'offline'])
      .describe('offline: no heartbeat for INGRAIN_STATION_OFFLINE_AFTER_MS (or never one)'),
    lastSeenAt: z.iso.datetime().nullable().describe('When the API received the last heartbeat; null: never'),
    version: z.string().nullable().describe('The station software version of the last heartbeat'),
    fixtures: z.array(FixtureView).describe('As of the last heartbeat; empty: never one'),
  }).describe('A registered station and its state from its heartbeats'),
);
export type StationStatusView = z.output<typeof StationStatusView>;

export const StationList = responseModel(
  'StationList',
  z.object({ stations: z.array(StationStatusView), nextCursor: nextCursorField }),
);
export type StationList = z.output<typeof StationList>;

// ─── The line view ──────────────────────────────────────────────────────────────────────────────

export const LineQuery = z.strictObject({
  line: LineName.optional().describe('Only this production line (default: every line)'),
  windowMinutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_080)
    .default(60)
    .describe('The window of devices per hour, yield and failures (1-10080 minutes, default 60)'),
});
export type LineQuery = z.output<typeof LineQuery>;

export const LineView = responseModel(
  'LineView',
  z
    .object({
      line: z.string().nullable().describe('The line asked for; null: every line'),
      generatedAt: z.iso.datetime(),
      windowMinutes: z.int(),
      offlineAfterMs: z.int(),
      stations: z.array(StationStatusView),
      online: z.int().describe('Stations online'),
      offline: z.int().describe('Stations offline'),
      provisioned: z.int().describe('Devices provisioned in the window'),
      quarantined: z.int().describe('Devices quarantined in the window'),
      devicesPerHour: z.number().describe('Devices provisioned in the window, per hour'),
      yield: z
        .number()
        .min(0)
        .max(1)
        .nullable()
        .describe('provisioned / (provisioned + quarantined) in the window; null: none finished'),
      failuresByReason: z
        .array(z.object({ reason: z.string(), count: z.int() }))
        .describe('Quarantined devices in the window by reason, most first'),
    })
    .describe('The state of the line: stations and fixtures, throughput, yield and failures'),
);
export type LineView = z.output<typeof LineView>;
