// Request and response models of a closed work order's report and its device list
// (GET /v1/work-orders/{id}/report, GET /v1/work-orders/{id}/report/devices).
import { z } from 'zod';
import { responseModel } from '../http/api-models.js';
import { cursorParam, limitParam, nextCursorField } from '../http/cursor.js';
import { WorkOrderReportEnvelope, WorkOrderReportView } from './work-orders.schemas.js';

export const DeviceListQuery = z.strictObject({
  limit: limitParam(1000, 100),
  cursor: cursorParam,
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
      nextCursor: nextCursorField,
    })
    .describe(
      "A page of the devices the report's devices.listSha256 covers: the JCS array of all pages' entries hashes to it",
    ),
);
export type WorkOrderDeviceListPage = z.output<typeof WorkOrderDeviceListPage>;
