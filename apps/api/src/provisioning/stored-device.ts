// Device records as the provisioning services need them: the secret-field list parsed from its
// jsonb column, the intended image the API judges reports against, hex forms.
import type { Layout } from '#ingrain/otp';
import { z } from 'zod';
import type { IntendedImage } from '../domain/result-judgement.js';
import type { SecretFieldRecord } from '../domain/secret-fields.js';
import { ApiError } from '../http/api-error.js';
import type { StoredIdentity } from '../identity/rematerialize.js';
import type { DeviceRecord } from '../repositories/device-records.js';

const secretFieldsSchema = z.array(
  z.object({
    name: z.string(),
    offsetBytes: z.int().min(0),
    lengthBytes: z.int().min(1),
    commitmentSha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
);

/** Lowercase hex of bytes. */
export function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * The `secret_fields` column of a device.
 *
 * @throws ApiError 500 IDENTITY_RECORD_INVALID when the column does not hold what issuance wrote.
 */
export function secretFieldsOf(device: DeviceRecord): SecretFieldRecord[] {
  const parsed = secretFieldsSchema.safeParse(device.secretFields);
  if (parsed.success) return parsed.data;
  throw new ApiError(500, 'IDENTITY_RECORD_INVALID', `device ${device.id} has a malformed secret field list`);
}

/** What a report about the device is judged against (docs/api-domain.md, "Judging a station report"). */
export function intendedImageOf(device: DeviceRecord, layout: Layout): IntendedImage {
  return {
    family: layout.family,
    dataWithSecretsZeroed: device.imageData,
    lockedBlocks: device.lockBlocks,
    secretRanges: secretFieldsOf(device),
  };
}

/** The record IdentityService.rematerialize works from. */
export function storedIdentityOf(device: DeviceRecord, sealedSecrets: Uint8Array | undefined): StoredIdentity {
  return {
    product: device.productId,
    serial: device.serial,
    imageData: device.imageData,
    lockedBlocks: device.lockBlocks,
    secretFields: secretFieldsOf(device),
    sealedSecrets: sealedSecrets ?? null,
  };
}
