// Maps what the API knows once a report is judged `provisioned` to libs/crypto's buildAttestation
// input. The secret fields' bytes are already zero in the report (judgeReport refuses others).
import { type AttestationInput } from '#ingrain/crypto';
import { type StationReport, SUCCESS_OUTCOMES } from '#ingrain/contracts';
import { AppError } from '../errors/app-error.js';
import { type SecretFieldRecord } from '../identity/secret-fields.js';

/** The device record fields an attestation needs. */
export interface AttestableDevice {
  readonly id: string;
  readonly productId: string;
  readonly serial: string;
  readonly workOrderId: string | null;
  /** The queue job id recorded at claim time (docs/api.md: the device id), if any. */
  readonly jobId: string | null;
  readonly secretFields: readonly SecretFieldRecord[];
  /** Lowercase hex SHA-256 of the device certificate's DER. */
  readonly certificateSha256: string;
  /** When the chip was bound (the claim); bounds the station's clock from below. */
  readonly claimedAt: Date | null;
}

export interface AttestationSource {
  readonly device: AttestableDevice;
  readonly layout: { readonly name: string; readonly version: number; readonly digestSha256: string };
  /** A report judgeReport found `provisioned`. */
  readonly report: StationReport;
  /** The station that reported (from its token, not from the report). */
  readonly stationId: string;
  /** Now, by the API's clock. */
  readonly attestedAt: Date;
}

/**
 * The moment the attestation calls `provisionedAt`: the station's `finishedAt`, kept within what
 * the API itself observed — not before the claim (nothing is written before it), not after
 * `attestedAt` (the report had arrived). A station clock that is off can shift it only inside
 * that window.
 */
export function provisionedAtOf(report: StationReport, claimedAt: Date | null, attestedAt: Date): Date {
  let time = report.finishedAt.getTime();
  if (claimedAt !== null) time = Math.max(time, claimedAt.getTime());
  return new Date(Math.min(time, attestedAt.getTime()));
}

/**
 * The buildAttestation input for a provisioned device: chip facts and the masked read-back from
 * the report, identity and secret-field commitments from the device record, layout name, version
 * and digest, the reporting station, the job (the report's, else the claim's, else the device id).
 *
 * @throws AppError `REPORT_INCOMPLETE` for a report that is not a complete success report.
 */
export function toAttestationInput(source: AttestationSource): AttestationInput {
  const { device, layout, report } = source;
  const { chipUid, productId, family, otpData, lockBytes } = report;
  if (!SUCCESS_OUTCOMES.has(report.outcome) || chipUid === null || productId === null || family === null) {
    throw new AppError('REPORT_INCOMPLETE', 'only a complete success report can be attested');
  }
  if (otpData === null || lockBytes === null) {
    throw new AppError('REPORT_INCOMPLETE', 'only a report with its read-back can be attested');
  }
  return {
    deviceId: device.id,
    product: device.productId,
    serial: device.serial,
    layout: { name: layout.name, version: layout.version, digestSha256: layout.digestSha256 },
    chip: { family, productId, uidHex: chipUid },
    readBack: { data: otpData, lockBytes },
    secretFields: device.secretFields.map(({ name, offsetBytes, lengthBytes, commitmentSha256 }) => ({
      name,
      offsetBytes,
      lengthBytes,
      commitmentSha256,
    })),
    deviceCertificateSha256: device.certificateSha256,
    stationId: source.stationId,
    jobId: report.jobId ?? device.jobId ?? device.id,
    workOrderId: device.workOrderId,
    provisionedAt: provisionedAtOf(report, device.claimedAt, source.attestedAt),
    attestedAt: source.attestedAt,
  };
}
