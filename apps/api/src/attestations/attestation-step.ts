// Building and signing the attestation of a device judged provisioned (docs/attestation.md). The
// signature is made before the recording transaction opens (one HSM operation kept out of it);
// the log append and the state change then commit together.
import { buildAttestation, serializeAttestationEnvelope, signAttestation, type Signer } from '#ingrain/crypto';
import type { Layout } from '#ingrain/otp';
import { type StationReport } from '#ingrain/contracts';
import { AppError } from '../errors/app-error.js';
import { secretFieldsOf } from '../identity/stored-device.js';
import type { DeviceRecord } from '../repositories/device-records.js';
import type { LayoutRecord } from '../repositories/layout-repository.js';
import { toAttestationInput } from './attestation-input.js';
import { bytesToHex } from '#ingrain/encoding';

/** The device record fields an attestation is built from. */
export type AttestedDevice = Pick<
  DeviceRecord,
  'id' | 'productId' | 'serial' | 'workOrderId' | 'jobId' | 'secretFields' | 'certificateSha256'
>;

export interface AttestationFacts {
  readonly device: AttestedDevice;
  readonly layout: Layout;
  readonly layoutRecord: LayoutRecord;
  readonly report: StationReport;
  readonly stationId: string;
  readonly claimedAt: Date | null;
  readonly attestedAt: Date;
}

/**
 * The attestation envelope's stored text (its normal form, which is also the log leaf).
 *
 * @throws AppError IDENTITY_RECORD_INVALID for a device without a certificate,
 *   REPORT_INCOMPLETE; AttestationError; HsmError from the signer.
 */
export async function signedAttestationText(facts: AttestationFacts, signer: Signer): Promise<string> {
  const { device, layout, layoutRecord } = facts;
  if (device.certificateSha256 === null) {
    throw new AppError('IDENTITY_RECORD_INVALID', `device ${device.id} has no certificate on record`);
  }
  const input = toAttestationInput({
    device: {
      id: device.id,
      productId: device.productId,
      serial: device.serial,
      workOrderId: device.workOrderId,
      jobId: device.jobId,
      secretFields: secretFieldsOf(device),
      certificateSha256: bytesToHex(device.certificateSha256),
      claimedAt: facts.claimedAt,
    },
    layout: { name: layout.name, version: layoutRecord.version, digestSha256: layoutRecord.digest },
    report: facts.report,
    stationId: facts.stationId,
    attestedAt: facts.attestedAt,
  });
  return serializeAttestationEnvelope(await signAttestation(buildAttestation(input), signer));
}
