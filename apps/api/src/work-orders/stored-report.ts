// The close report as the work_orders.report column keeps it: the DSSE envelope, as JSON. Read back
// through its schema, since a jsonb column is outside the type system.
import { type DsseEnvelope } from '#ingrain/crypto';
import { base64ToBytes } from '#ingrain/encoding';
import type { JsonValue } from '../database/json.js';
import { workOrderRecordInvalid } from './work-order-errors.js';
import { workOrderReportSchema } from './work-order-report-schema.js';
import type { WorkOrderReport } from './work-order-report.js';
import { WorkOrderReportEnvelope } from './work-orders.schemas.js';

/** The envelope as a JSON column value. */
export function envelopeJson(envelope: DsseEnvelope): JsonValue {
  return {
    payloadType: envelope.payloadType,
    payload: envelope.payload,
    signatures: envelope.signatures.map(({ keyid, sig }) => ({ keyid, sig })),
  };
}

/**
 * The stored envelope of work order `id`.
 *
 * @throws AppError WORK_ORDER_RECORD_INVALID when the column does not hold one.
 */
export function storedEnvelope(id: string, value: JsonValue): WorkOrderReportEnvelope {
  const parsed = WorkOrderReportEnvelope.safeParse(value);
  if (!parsed.success) throw workOrderRecordInvalid(id, parsed.error);
  return parsed.data;
}

/**
 * The report an envelope carries (its payload decoded and checked against the v1 schema). Not a
 * signature check: the API signed it; auditors use verifyWorkOrderReportEnvelope.
 *
 * @throws AppError WORK_ORDER_RECORD_INVALID when the payload does not decode.
 */
export function reportOf(id: string, envelope: WorkOrderReportEnvelope): WorkOrderReport {
  try {
    const text = Buffer.from(base64ToBytes(envelope.payload)).toString('utf8');
    return workOrderReportSchema.parse(JSON.parse(text));
  } catch (error) {
    throw workOrderRecordInvalid(id, error);
  }
}
