// Device records as the identity facts the later hops need: the secret-field list parsed from its
// jsonb column, the record re-materialization works from, hex forms.
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import type { DeviceRecord } from '../repositories/device-records.js';
import type { StoredIdentity } from './rematerialize.js';
import type { SecretFieldRecord } from './secret-fields.js';

const secretFieldsSchema = z.array(
  z.object({
    name: z.string(),
    offsetBytes: z.int().min(0),
    lengthBytes: z.int().min(1),
    commitmentSha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
);

/**
 * The `secret_fields` column of a device.
 *
 * @throws AppError IDENTITY_RECORD_INVALID when the column does not hold what issuance wrote.
 */
export function secretFieldsOf(device: Pick<DeviceRecord, 'id' | 'secretFields'>): SecretFieldRecord[] {
  const parsed = secretFieldsSchema.safeParse(device.secretFields);
  if (parsed.success) return parsed.data;
  throw new AppError('IDENTITY_RECORD_INVALID', `device ${device.id} has a malformed secret field list`);
}

/** The record IdentityService.rematerialize works from. */
export function storedIdentityOf(
  device: Pick<DeviceRecord, 'id' | 'productId' | 'serial' | 'imageData' | 'lockBlocks' | 'secretFields'>,
  sealedSecrets: Uint8Array | undefined,
): StoredIdentity {
  return {
    product: device.productId,
    serial: device.serial,
    imageData: device.imageData,
    lockedBlocks: device.lockBlocks,
    secretFields: secretFieldsOf(device),
    sealedSecrets: sealedSecrets ?? null,
  };
}
