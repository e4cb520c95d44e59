// DSSE v1 envelopes of work-order close reports, signed by the attestation key like attestations
// (docs/attestation.md, "Envelope"), under their own payloadType.
import { verify } from 'node:crypto';
import {
  attestationKeyId,
  derToP1363,
  dssePreAuthenticationEncoding,
  p1363ToDer,
  type DsseEnvelope,
  type Signer,
} from '#ingrain/crypto';
import { base64ToBytes, bytesToBase64 } from '#ingrain/encoding';
import { AppError } from '../errors/app-error.js';
import { workOrderReportSchema } from './work-order-report-schema.js';
import { WORK_ORDER_REPORT_PAYLOAD_TYPE, workOrderReportBytes, type WorkOrderReport } from './work-order-report.js';

const invalid = (message: string, cause?: unknown) =>
  new AppError('WORK_ORDER_REPORT_INVALID', `work-order report envelope: ${message}`, { cause });

function verifiesWith(spkiDer: Uint8Array, signedBytes: Uint8Array, p1363: Uint8Array): boolean {
  const key = { key: Buffer.from(spkiDer), format: 'der', type: 'spki', dsaEncoding: 'ieee-p1363' } as const;
  return verify('sha256', signedBytes, key, p1363);
}

/**
 * Signs a close report: payload = JCS bytes of the report, signature = ECDSA P-256 (DER) over the
 * DSSE PAE, keyid = SHA-256 of the signer's SPKI. The signature is verified before returning.
 *
 * @throws AppError `WORK_ORDER_REPORT_INVALID` if the signer's signature does not verify;
 *   whatever the signer throws.
 */
export async function signWorkOrderReport(report: WorkOrderReport, signer: Signer): Promise<DsseEnvelope> {
  const payload = workOrderReportBytes(report);
  const signedBytes = dssePreAuthenticationEncoding(WORK_ORDER_REPORT_PAYLOAD_TYPE, payload);
  const p1363 = await signer.sign(signedBytes);
  if (!verifiesWith(signer.publicKeySpkiDer, signedBytes, p1363)) {
    throw invalid(`signer ${signer.label} returned a signature that does not verify`);
  }
  return {
    payloadType: WORK_ORDER_REPORT_PAYLOAD_TYPE,
    payload: bytesToBase64(payload),
    signatures: [{ keyid: attestationKeyId(signer.publicKeySpkiDer), sig: bytesToBase64(p1363ToDer(p1363)) }],
  };
}

/**
 * Verifies an envelope with the attestation public key and returns the report: payloadType,
 * a signature by that key (keyid equal or empty), payload exactly in canonical form, v1 schema.
 *
 * @throws AppError `WORK_ORDER_REPORT_INVALID` naming the first failed check.
 */
export function verifyWorkOrderReportEnvelope(envelope: DsseEnvelope, publicKeySpkiDer: Uint8Array): WorkOrderReport {
  if (envelope.payloadType !== WORK_ORDER_REPORT_PAYLOAD_TYPE) throw invalid('unexpected payloadType');
  let payload: Uint8Array;
  try {
    payload = base64ToBytes(envelope.payload);
  } catch (error) {
    throw invalid('payload is not canonical base64', error);
  }
  const signedBytes = dssePreAuthenticationEncoding(envelope.payloadType, payload);
  const keyid = attestationKeyId(publicKeySpkiDer);
  const signed = envelope.signatures.some(
    (signature) =>
      (signature.keyid === '' || signature.keyid === keyid) &&
      signatureVerifies(publicKeySpkiDer, signedBytes, signature.sig),
  );
  if (!signed) throw invalid('no signature verifies with the attestation key');
  return parsePayload(payload);
}

function signatureVerifies(spkiDer: Uint8Array, signedBytes: Uint8Array, sig: string): boolean {
  try {
    return verifiesWith(spkiDer, signedBytes, derToP1363(base64ToBytes(sig)));
  } catch {
    return false;
  }
}

function parsePayload(payload: Uint8Array): WorkOrderReport {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch (error) {
    throw invalid('payload is not JSON', error);
  }
  const parsed = workOrderReportSchema.safeParse(value);
  if (!parsed.success) throw invalid(`payload does not match the v1 schema (${parsed.error.issues.length} issues)`);
  const report: WorkOrderReport = parsed.data;
  if (Buffer.compare(workOrderReportBytes(report), payload) !== 0) throw invalid('payload is not in canonical form');
  return report;
}
