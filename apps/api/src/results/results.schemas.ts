// Models of the station's result: the report it sends and the API's verdict.
import { stationReportBodySchema } from '#ingrain/contracts';
import { z } from 'zod';
import { DeviceId, DeviceStateModel } from '../device-requests/devices.schemas.js';
import { requestModel, responseModel } from '../http/api-models.js';

/** Documentation of the result body; parsed by the domain's parseStationReport (STATION_REPORT_INVALID). */
export const StationReportModel = requestModel('StationReport', stationReportBodySchema);

const diffEntry = z.object({
  region: z.enum(['data', 'lock', 'chip-uid', 'family', 'product-id']),
  offsetBytes: z.int(),
  expected: z.union([z.int(), z.string()]),
  actual: z.union([z.int(), z.string()]),
});

export const ProvisioningResult = responseModel(
  'ProvisioningResult',
  z
    .object({
      deviceId: DeviceId,
      state: DeviceStateModel,
      verdict: z.enum(['provisioned', 'quarantined', 'retry']),
      reason: z.string().describe('exact-match, link-error, or the quarantine reason'),
      diff: z.array(diffEntry).describe('Differences found (quarantine): identity, then data, then lock bytes'),
      omittedDiffs: z.int().describe('Differences left out of diff (it holds at most 256)'),
      attestation: z
        .object({
          leafIndex: z.int(),
          envelope: z.object({
            payloadType: z.string(),
            payload: z.string(),
            signatures: z.array(z.object({ keyid: z.string(), sig: z.string() })),
          }),
        })
        .nullable()
        .describe('The signed attestation and its log position (provisioned only)'),
    })
    .describe('The API’s verdict on a station report'),
);
export type ProvisioningResult = z.output<typeof ProvisioningResult>;
