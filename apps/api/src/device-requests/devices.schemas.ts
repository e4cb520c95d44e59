// Request and response models of /v1/devices and /v1/bindings (docs/api.md, "Endpoints").
import { z } from 'zod';
import { DEVICE_STATES, operatorActionSchema } from '#ingrain/contracts';
import { requestModel, responseModel, sharedModel } from '../http/api-models.js';
import {
  cursorParam,
  deprecatedOffsetParam,
  limitParam,
  nextCursorField,
  notBothCursorAndOffset,
} from '../http/cursor.js';

const HEX = /^(?:[0-9a-f]{2})*$/;
const MAX_CHIP_UID_BYTES = 32;

/** The serial an MES may give with a request (single or batch item); absent: the product sequence. */
export const RequestedSerial = z
  .string()
  .min(1)
  .max(256)
  .optional()
  .describe('The serial; default: the next of the product sequence (prefix + 6 digits)');

export const DeviceId = z.uuid().describe('Device id');

export const DeviceStateModel = sharedModel(
  'DeviceState',
  z.enum(DEVICE_STATES).describe('Where a device identity is in its life (docs/api.md, "Device state machine")'),
);

/** A chip's unique device ID as hex (two digits per byte, 1-32 bytes); answered lowercase. */
export const ChipUid = z
  .string()
  .regex(/^(?:[0-9a-fA-F]{2}){1,32}$/, `chipUid must be hex, 1-${MAX_CHIP_UID_BYTES} bytes`)
  .transform((text) => text.toLowerCase())
  .describe('Unique device ID of the chip (hex, 1-32 bytes)');

const hexText = (what: string) => z.string().regex(HEX).describe(what);

export const CreateDeviceRequest = requestModel(
  'CreateDeviceRequest',
  z
    .strictObject({
      workOrderId: z.uuid().optional().describe('The work order the device counts against (sets product and layout)'),
      productId: z
        .string()
        .min(1)
        .max(64)
        .optional()
        .describe('Without a work order: the product (its latest layout version), no quota'),
      serial: RequestedSerial,
      inputs: z
        .record(z.string(), z.unknown())
        .default({})
        .describe("Values of the layout's input fields (e.g. calibration); generated fields must not be given"),
    })
    .superRefine((body, context) => {
      if ((body.workOrderId === undefined) === (body.productId === undefined)) {
        context.addIssue({
          code: 'custom',
          path: ['workOrderId'],
          message: 'give exactly one of workOrderId or productId',
        });
      }
    }),
);
export type CreateDeviceRequest = z.output<typeof CreateDeviceRequest>;

export const DeviceListQuery = z
  .strictObject({
    serial: z.string().min(1).max(64).optional().describe('Only devices with this serial'),
    workOrderId: z.uuid().optional().describe('Only devices of this work order'),
    productId: z.string().min(1).max(64).optional().describe('Only devices of this product'),
    state: z.enum(DEVICE_STATES).optional().describe('Only devices in this state'),
    limit: limitParam(500, 100),
    cursor: cursorParam,
    offset: deprecatedOffsetParam('devices (oldest first)'),
  })
  .superRefine(notBothCursorAndOffset);
export type DeviceListQuery = z.output<typeof DeviceListQuery>;

const SecretFieldView = z.object({
  name: z.string(),
  offsetBytes: z.int(),
  lengthBytes: z.int(),
  commitmentSha256: hexText('Commitment to the secret value (docs/attestation.md, "Secret fields")'),
});

export const DeviceEventView = responseModel(
  'DeviceEvent',
  z
    .object({
      at: z.iso.datetime(),
      fromState: DeviceStateModel.nullable().describe('Null for the creation event'),
      toState: DeviceStateModel,
      reason: z.string().nullable(),
      actor: z.string().describe('The token id (MES, admin) or station id that caused it'),
      chipUid: hexText('The chip bound (claim) or released (release) by this event').nullable(),
      details: z
        .record(z.string(), z.unknown())
        .nullable()
        .describe('Context: the station outcome, the diff of a quarantine, the error code of a retry'),
    })
    .describe('One entry of the append-only device history'),
);
export type DeviceEventView = z.output<typeof DeviceEventView>;

const deviceFields = {
  id: DeviceId,
  productId: z.string(),
  layoutVersion: z.int(),
  workOrderId: z.uuid().nullable(),
  serial: z.string(),
  state: DeviceStateModel,
  chipUid: hexText('The chip the identity is bound to (null while queued)').nullable(),
  stationId: z.string().nullable().describe('The station that claimed it'),
  jobId: z.string().nullable().describe('The queue job of the device (its id)'),
  lockedBlocks: z.array(z.int()).describe('OTP blocks the layout locks'),
  secretFields: z
    .array(SecretFieldView)
    .describe('Secret fields: where they lie and what they commit to, never values'),
  certificatePem: z.string().nullable().describe('The device certificate (public)'),
  certificateSha256: hexText('SHA-256 of the certificate DER').nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};

export const DeviceSummary = responseModel(
  'DeviceSummary',
  z.object(deviceFields).describe('A device identity (no secrets), without its history'),
);
export type DeviceSummary = z.output<typeof DeviceSummary>;

export const DeviceView = responseModel(
  'Device',
  z
    .object({
      ...deviceFields,
      attestationLeafIndex: z.int().nullable().describe('Log position of its attestation, once provisioned'),
      history: z.array(DeviceEventView).describe('Every state change, oldest first'),
    })
    .describe('A device identity (no secrets) with its state history'),
);
export type DeviceView = z.output<typeof DeviceView>;

export const DeviceList = responseModel(
  'DeviceList',
  z.object({
    devices: z.array(DeviceSummary).describe('Oldest first'),
    nextCursor: nextCursorField,
    limit: z.int(),
    offset: z.int().describe('Deprecated: the offset given (0 with a cursor)'),
  }),
);
export type DeviceList = z.output<typeof DeviceList>;

export const OperatorActionRequest = requestModel('OperatorActionRequest', operatorActionSchema);
export type OperatorActionRequest = z.output<typeof OperatorActionRequest>;
