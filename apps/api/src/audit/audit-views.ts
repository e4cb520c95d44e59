// Record → response mapping of the audit endpoints (no logic beyond encoding).
import { parseAttestation, type StoredCheckpoint } from '#ingrain/crypto';
import { bytesToBase64 } from '#ingrain/encoding';
import type { AttestationRecord } from '../repositories/attestation-repository.js';
import type { AttestationDetail, AttestationSummary, LogCheckpointView } from './audit.schemas.js';

export function toSummary(record: AttestationRecord): AttestationSummary {
  return {
    leafIndex: record.leafIndex,
    deviceId: record.deviceId,
    serial: record.serial,
    chipUid: Buffer.from(record.chipUid).toString('hex'),
    productId: record.productId,
    workOrderId: record.workOrderId,
    stationId: record.stationId,
    createdAt: record.createdAt.toISOString(),
  };
}

export function toCheckpointView(checkpoint: StoredCheckpoint, origin: string): LogCheckpointView {
  return { origin, treeSize: checkpoint.treeSize, rootHash: bytesToBase64(checkpoint.rootHash), note: checkpoint.note };
}

/**
 * The attestation inside a stored envelope, decoded and schema-checked (parseAttestation); the
 * signature is not checked here: auditors verify bundles offline with the published key.
 */
export function decodePayload(envelope: { readonly payload?: unknown }): AttestationDetail['attestation'] {
  const payload = typeof envelope.payload === 'string' ? envelope.payload : '';
  const attestation = parseAttestation(JSON.parse(Buffer.from(payload, 'base64').toString('utf8')));
  return { ...attestation, otp: { ...attestation.otp, secretFields: [...attestation.otp.secretFields] } };
}
