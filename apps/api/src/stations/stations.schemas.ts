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

export const StationList = responseModel(
  'StationList',
  z.object({ stations: z.array(StationView), nextCursor: nextCursorField }),
);
export type StationList = z.output<typeof StationList>;
