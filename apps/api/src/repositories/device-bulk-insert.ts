// New devices stored many at a time (a chunk of a batch, or one request): one multi-row INSERT of
// the devices and one of their creation events, instead of a savepoint, two inserts, a release and
// a re-read per device. A device is written whole or not at all, each with its own outcome.
import type { Executor } from '../database/executor.js';
import { jsonText } from '../database/json.js';
import type { DeviceEventInput, DeviceRecord, NewDevice } from './device-records.js';
import { newId, plainBytes, plainBytesOrNull } from './row-values.js';

/** The devices stored, by idempotency key; the others were skipped (see {@link insertNewDevices}). */
export type InsertedDevices = ReadonlyMap<string, DeviceRecord>;

/**
 * Stores `devices` as `queued`, each with its creation event (`event`), in the caller's
 * transaction (run it inside one: the devices and their events commit together). A device that
 * conflicts with a stored one on any unique key — the requester's idempotency key (an earlier or
 * concurrent request with the same key: a replay), the product's serial (taken) — is skipped,
 * not an error: the others are stored all the same, and the caller tells the skipped ones apart
 * (by looking their keys up). Devices of one call must not share an idempotency key.
 *
 * Returns the stored devices as they are now in the database (built from what was written and the
 * row's defaults, without reading them back), by idempotency key.
 *
 * @throws DatabaseError FOREIGN_KEY_VIOLATION for an unknown product, layout version or work
 *   order (nothing of the call is stored).
 */
export async function insertNewDevices(
  db: Executor,
  devices: readonly NewDevice[],
  event: DeviceEventInput,
): Promise<InsertedDevices> {
  const stored = new Map<string, DeviceRecord>();
  if (devices.length === 0) return stored;
  const rows = devices.map(newDeviceRow);
  // No conflict target: a conflict on any unique index (idempotency key, serial, id) skips the row,
  // including one with a row earlier in this same statement.
  const inserted = await db
    .insertInto('devices')
    .values(rows)
    .onConflict((conflict) => conflict.doNothing())
    .returning(['id', 'state', 'created_at', 'updated_at'])
    .execute();
  if (inserted.length === 0) return stored;
  const byId = new Map(inserted.map((row) => [row.id, row]));
  const details = event.details === undefined ? null : jsonText(event.details);
  await db
    .insertInto('device_events')
    .values(
      inserted.map((row) => ({
        device_id: row.id,
        from_state: null,
        to_state: row.state,
        reason: event.reason ?? null,
        actor: event.actor,
        chip_uid: null,
        details,
      })),
    )
    .execute();
  devices.forEach((device, index) => {
    const row = byId.get(rows[index]!.id);
    if (row !== undefined) stored.set(device.idempotencyKey, recordOf(device, row));
  });
  return stored;
}

function recordOf(
  device: NewDevice,
  row: { id: string; state: DeviceRecord['state']; created_at: Date; updated_at: Date },
): DeviceRecord {
  return {
    id: row.id,
    productId: device.productId,
    layoutVersion: device.layoutVersion,
    workOrderId: device.workOrderId ?? null,
    serial: device.serial,
    state: row.state,
    idempotencyKey: device.idempotencyKey,
    requestedBy: device.requestedBy,
    requestHash: plainBytes(device.requestHash),
    chipUid: null,
    stationId: null,
    jobId: device.jobId ?? null,
    imageData: plainBytes(device.imageData),
    lockBlocks: [...device.lockBlocks],
    secretFields: device.secretFields,
    hasSealedPrivateKey: device.sealedPrivateKey != null,
    publicKeySpki: plainBytesOrNull(device.publicKeySpki ?? null),
    certificateDer: plainBytesOrNull(device.certificateDer ?? null),
    certificateSha256: plainBytesOrNull(device.certificateSha256 ?? null),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The `devices` row of a new device (single and bulk inserts). */
export function newDeviceRow(device: NewDevice) {
  return {
    id: device.id ?? newId(),
    product_id: device.productId,
    layout_version: device.layoutVersion,
    work_order_id: device.workOrderId ?? null,
    serial: device.serial,
    idempotency_key: device.idempotencyKey,
    requested_by: device.requestedBy,
    request_hash: device.requestHash,
    job_id: device.jobId ?? null,
    image_data: device.imageData,
    lock_blocks: jsonText([...device.lockBlocks]),
    secret_fields: jsonText(device.secretFields),
    sealed_private_key: device.sealedPrivateKey ?? null,
    public_key_spki: device.publicKeySpki ?? null,
    certificate_der: device.certificateDer ?? null,
    certificate_sha256: device.certificateSha256 ?? null,
  };
}
