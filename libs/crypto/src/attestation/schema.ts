import { z } from 'zod';
import { MAX_LOCK_BYTES, MAX_OTP_DATA_BYTES, MAX_SECRET_FIELDS } from './format.js';

// Character sets (docs/attestation.md §Fields). Identifiers match the device certificate profile.
export const DEVICE_IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const OPAQUE_ID = /^[\x21-\x7e]{1,128}$/; // printable ASCII, no space
export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
export const CHIP_FAMILY = /^[a-z0-9][a-z0-9-]{0,31}$/;
const RFC3339_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const lowerHex = (minBytes: number, maxBytes: number) =>
  z
    .string()
    .regex(/^(?:[0-9a-f]{2})*$/, 'must be lowercase hex')
    .refine((s) => s.length >= 2 * minBytes && s.length <= 2 * maxBytes, `must be ${minBytes}-${maxBytes} bytes`);

export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

const timestampSchema = z
  .string()
  .regex(RFC3339_UTC_MS, 'must be RFC 3339 UTC with milliseconds (YYYY-MM-DDTHH:MM:SS.sssZ)')
  .refine((s) => {
    const date = new Date(s);
    return !Number.isNaN(date.getTime()) && date.toISOString() === s;
  }, 'must be a real instant');

export const secretFieldSchema = z.strictObject({
  name: z.string().regex(FIELD_NAME),
  offsetBytes: z
    .int()
    .min(0)
    .max(MAX_OTP_DATA_BYTES - 1),
  lengthBytes: z.int().min(1).max(MAX_OTP_DATA_BYTES),
  commitmentSha256: sha256HexSchema,
});

/** The v1 attestation payload, field by field (docs/attestation.md). Cross-field rules live in checks.ts. */
export const attestationV1Schema = z.strictObject({
  formatVersion: z.literal(1),
  deviceId: z.string().regex(OPAQUE_ID),
  product: z.string().regex(DEVICE_IDENTIFIER),
  serial: z.string().regex(DEVICE_IDENTIFIER),
  layout: z.strictObject({
    name: z.string().regex(DEVICE_IDENTIFIER),
    version: z
      .int()
      .min(1)
      .max(2 ** 31 - 1),
    digestSha256: sha256HexSchema,
  }),
  chip: z.strictObject({
    family: z.string().regex(CHIP_FAMILY),
    productId: z.int().min(0).max(0xffff),
    uidHex: lowerHex(1, 32),
  }),
  otp: z.strictObject({
    dataHex: lowerHex(1, MAX_OTP_DATA_BYTES),
    dataSha256: sha256HexSchema,
    lockBytesHex: lowerHex(0, MAX_LOCK_BYTES),
    lockBytesSha256: sha256HexSchema,
    secretFields: z.array(secretFieldSchema).max(MAX_SECRET_FIELDS),
  }),
  deviceCertificateSha256: sha256HexSchema,
  stationId: z.string().regex(OPAQUE_ID),
  jobId: z.string().regex(OPAQUE_ID),
  workOrderId: z.string().regex(OPAQUE_ID).nullable(),
  provisionedAt: timestampSchema,
  attestedAt: timestampSchema,
});

/** Formats zod issues as path + message (zod's messages never echo the rejected value). */
export function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path:
      issue.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '') || '(root)',
    message: issue.message,
  }));
}
