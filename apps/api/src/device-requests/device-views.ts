// Device records as the API shows them: no sealed key, no secret byte, no request hash.
import { encodePem } from '#ingrain/crypto';
import type { JsonValue } from '../database/json.js';
import { secretFieldsOf } from '../identity/stored-device.js';
import type { DeviceEventRecord, DeviceRecord } from '../repositories/device-records.js';
import type { DeviceEventView, DeviceSummary, DeviceView } from './devices.schemas.js';
import { bytesToHex } from '#ingrain/encoding';

const hexOrNull = (bytes: Uint8Array | null): string | null => (bytes === null ? null : bytesToHex(bytes));

function detailsOf(details: JsonValue | null): Record<string, unknown> | null {
  if (details === null || typeof details !== 'object' || Array.isArray(details)) return null;
  return details as Record<string, unknown>;
}

export function toEventView(event: DeviceEventRecord): DeviceEventView {
  return {
    at: event.at.toISOString(),
    fromState: event.fromState,
    toState: event.toState,
    reason: event.reason,
    actor: event.actor,
    chipUid: hexOrNull(event.chipUid),
    details: detailsOf(event.details),
  };
}

export function toDeviceSummary(device: DeviceRecord): DeviceSummary {
  return {
    id: device.id,
    productId: device.productId,
    layoutVersion: device.layoutVersion,
    workOrderId: device.workOrderId,
    serial: device.serial,
    state: device.state,
    chipUid: hexOrNull(device.chipUid),
    stationId: device.stationId,
    jobId: device.jobId,
    lockedBlocks: [...device.lockBlocks],
    secretFields: secretFieldsOf(device).map((field) => ({ ...field })),
    certificatePem: device.certificateDer === null ? null : encodePem('CERTIFICATE', device.certificateDer),
    certificateSha256: hexOrNull(device.certificateSha256),
    createdAt: device.createdAt.toISOString(),
    updatedAt: device.updatedAt.toISOString(),
  };
}

export function toDeviceView(
  device: DeviceRecord,
  history: readonly DeviceEventRecord[],
  attestationLeafIndex: number | null,
): DeviceView {
  return { ...toDeviceSummary(device), attestationLeafIndex, history: history.map(toEventView) };
}
