// Request and response models of a closed work order's report and its device list
// (GET /v1/work-orders/{id}/report, GET /v1/work-orders/{id}/report/devices).
import { z } from 'zod';
import { responseModel } from '../http/api-models.js';
import { WorkOrderReportEnvelope, WorkOrderReportView } from './work-orders.schemas.js';

/** Position after one entry of the report's order: base64url of JSON `{"serial":…,"deviceId":…}`. */
const cursorValue = z.strictObject({ serial: z.string().max(256), deviceId: z.uuid() });
export type DeviceListCursor = z.output<typeof cursorValue>;

/** The opaque cursor of the next page (base64url JSON; clients pass it back unchanged). */
export function encodeDeviceListCursor(position: DeviceListCursor): string {
  return Buffer.from(JSON.stringify({ serial: position.serial, deviceId: position.deviceId })).toString('base64url');
}

const cursor = z
  .string()
  .max(1024)
  .transform((text, context): DeviceListCursor => {
    try {
      return cursorValue.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    } catch {
      context.addIssue({ code: 'custom', message: 'not a cursor this endpoint gave out' });
      return z.NEVER;
    }
  })
  .describe('The nextCursor of the previous page (opaque); omit for the first page');

export const DeviceListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Page size (1-1000, default 100)'),
  cursor: cursor.optional(),
});
export type DeviceListQuery = z.output<typeof DeviceListQuery>;

export const ClosedWorkOrderReport = responseModel(
  'ClosedWorkOrderReport',
  z
    .object({
      workOrderId: z.uuid(),
      envelope: WorkOrderReportEnvelope,
      report: WorkOrderReportView,
    })
    .describe('The signed close report of a closed work order (verify the envelope with the attestation key)'),
);
export type ClosedWorkOrderReport = z.output<typeof ClosedWorkOrderReport>;

export const WorkOrderDeviceEntryView = responseModel(
  'WorkOrderDeviceEntry',
  z
    .object({
      attestationLeafIndex: z.int().nullable().describe('The attestation in the log; null unless provisioned'),
      chipUid: z.string().nullable().describe('Lowercase hex UID of the bound chip; null if none'),
      deviceId: z.uuid(),
      serial: z.string(),
      state: z.string().describe('The device state'),
    })
    .describe('One device of the close report\'s list (docs/api.md "Close report device list")'),
);

export const WorkOrderDeviceListPage = responseModel(
  'WorkOrderDeviceListPage',
  z
    .object({
      devices: z.array(WorkOrderDeviceEntryView).describe('In the report order: serial, then device id (code points)'),
      nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page'),
    })
    .describe(
      "A page of the devices the report's devices.listSha256 covers: the JCS array of all pages' entries hashes to it",
    ),
);
export type WorkOrderDeviceListPage = z.output<typeof WorkOrderDeviceListPage>;
