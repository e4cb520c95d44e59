// Models of the station's claim and binding lookup.
import { z } from 'zod';
import { ChipUid, DeviceId, DeviceStateModel } from '../device-requests/devices.schemas.js';
import { requestModel, responseModel } from '../http/api-models.js';

const base64Url = (what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .describe(what);

/** The HPKE envelope of docs/sealing.md ("The envelope"); libs/crypto parseStationSealedEnvelope checks it. */
export const SealedEnvelope = responseModel(
  'SealedEnvelope',
  z
    .object({
      version: z.literal(1),
      suite: z.enum(['hpke-p256-sha256-aes256gcm', 'hpke-p256-sha256-aes128gcm']),
      enc: base64Url('HPKE enc: the 65-byte ephemeral public key, unpadded base64url'),
      ciphertext: base64Url('AEAD ciphertext and 16-byte tag, unpadded base64url'),
    })
    .describe(
      'The image\'s secret ranges (docs/sealing.md, "The plaintext"), sealed with HPKE to the claiming station\'s registered key and bound to deviceId, chipUid, claimId and stationId',
    ),
);

const hexText = (what: string) =>
  z
    .string()
    .regex(/^(?:[0-9a-f]{2})*$/)
    .describe(what);

/** The station's id for one claim request: the sealed secrets are bound to it (docs/sealing.md). */
export const ClaimId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1-128 of A-Z a-z 0-9 . _ : - starting alphanumeric')
  .describe('Chosen by the station, fresh for every claim request (a UUID): the sealed secrets are bound to it');

export const ClaimRequest = requestModel(
  'ClaimRequest',
  z.strictObject({ chipUid: ChipUid.describe('The chip UID, as two equal reads gave it'), claimId: ClaimId }),
);
export type ClaimRequest = z.output<typeof ClaimRequest>;

export const DeviceClaim = responseModel(
  'DeviceClaim',
  z
    .object({
      deviceId: DeviceId,
      productId: z.string(),
      serial: z.string(),
      layoutVersion: z.int(),
      state: z.literal('claimed'),
      claimId: ClaimId.describe("The request's claimId: the sealed secrets are bound to it"),
      chipUid: hexText('The chip the identity is now bound to'),
      stationId: z.string().nullable().describe('The station that holds it now: this one'),
      jobId: z.string().nullable(),
      layout: z.object({
        name: z.string(),
        version: z.int(),
        digestSha256: hexText('libs/otp layoutDigest'),
      }),
      image: z.object({
        family: z.string(),
        dataHex: hexText('Every OTP data byte to hold, the secret ranges zeroed: their bytes are in sealedSecrets'),
        lockedBlocks: z.array(z.int()),
        lockBytesHex: hexText('The lock bytes the chip must read back (00 = locked, ff = open)'),
      }),
      secretRanges: z
        .array(z.object({ name: z.string(), offsetBytes: z.int(), lengthBytes: z.int() }))
        .describe('OTP ranges holding secrets, in the order of sealedSecrets: zero them in the report'),
      sealedSecrets: SealedEnvelope,
    })
    .describe(
      "The binding and the intended image; its secrets only sealed to the claiming station's key (docs/sealing.md)",
    ),
);
export type DeviceClaim = z.output<typeof DeviceClaim>;

export const ChipBinding = responseModel(
  'ChipBinding',
  z.object({ deviceId: DeviceId, state: DeviceStateModel }).describe('The device a chip is bound to'),
);
export type ChipBinding = z.output<typeof ChipBinding>;
