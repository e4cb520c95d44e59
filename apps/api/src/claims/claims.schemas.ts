// Models of the station's claim and binding lookup.
import { z } from 'zod';
import { ChipUid, DeviceId, DeviceStateModel } from '../device-requests/devices.schemas.js';
import { requestModel, responseModel } from '../http/api-models.js';

const hexText = (what: string) =>
  z
    .string()
    .regex(/^(?:[0-9a-f]{2})*$/)
    .describe(what);

export const ClaimRequest = requestModel(
  'ClaimRequest',
  z.strictObject({ chipUid: ChipUid.describe('The chip UID, as two equal reads gave it') }),
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
        dataHex: hexText('Every OTP data byte to hold, SECRET BYTES INCLUDED: never log or store it'),
        lockedBlocks: z.array(z.int()),
        lockBytesHex: hexText('The lock bytes the chip must read back (00 = locked, ff = open)'),
      }),
      secretRanges: z
        .array(z.object({ name: z.string(), offsetBytes: z.int(), lengthBytes: z.int() }))
        .describe('OTP ranges holding secrets: redact them in logs, zero them in the report'),
    })
    .describe('The binding and the intended image, with its secrets: the only response that carries them'),
);
export type DeviceClaim = z.output<typeof DeviceClaim>;

export const ChipBinding = responseModel(
  'ChipBinding',
  z.object({ deviceId: DeviceId, state: DeviceStateModel }).describe('The device a chip is bound to'),
);
export type ChipBinding = z.output<typeof ChipBinding>;
