import { z } from 'zod';
import { bytesToHex } from '#ingrain/encoding';
import { sha256Hex } from '../encoding/index.js';
import { type Attestation, type AttestedSecretField } from './attestation.js';
import { checkAttestationConsistency, secretFieldLayoutIssues, unmaskedSecretFields } from './checks.js';
import { AttestationError } from './errors.js';
import { ATTESTATION_FORMAT_VERSION, MAX_LOCK_BYTES, MAX_OTP_DATA_BYTES, MAX_SECRET_FIELDS } from './format.js';
import { CHIP_FAMILY, DEVICE_IDENTIFIER, FIELD_NAME, OPAQUE_ID, zodIssues } from './schema.js';

const anyCaseSha256 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits');
const bytes = (min: number, max: number) =>
  z.instanceof(Uint8Array).refine((b) => b.length >= min && b.length <= max, `must be ${min}-${max} bytes`);
const instant = z
  .date()
  .refine(
    (d) => !Number.isNaN(d.getTime()) && d.getUTCFullYear() >= 2000 && d.getUTCFullYear() <= 9999,
    'must be a valid date (years 2000-9999)',
  );

/** What the service knows when a device is done. Validated strictly (unknown keys rejected). */
const attestationInputSchema = z.strictObject({
  deviceId: z.string().regex(OPAQUE_ID),
  product: z.string().regex(DEVICE_IDENTIFIER),
  serial: z.string().regex(DEVICE_IDENTIFIER),
  layout: z.strictObject({
    name: z.string().regex(DEVICE_IDENTIFIER),
    version: z
      .int()
      .min(1)
      .max(2 ** 31 - 1),
    digestSha256: anyCaseSha256,
  }),
  chip: z.strictObject({
    family: z.string().regex(CHIP_FAMILY),
    productId: z.int().min(0).max(0xffff),
    uidHex: z.string().regex(/^(?:[0-9a-fA-F]{2}){1,32}$/, 'must be 1-32 bytes of hex'),
  }),
  readBack: z.strictObject({ data: bytes(1, MAX_OTP_DATA_BYTES), lockBytes: bytes(0, MAX_LOCK_BYTES) }),
  secretFields: z
    .array(
      z.strictObject({
        name: z.string().regex(FIELD_NAME),
        offsetBytes: z
          .int()
          .min(0)
          .max(MAX_OTP_DATA_BYTES - 1),
        lengthBytes: z.int().min(1).max(MAX_OTP_DATA_BYTES),
        commitmentSha256: anyCaseSha256,
      }),
    )
    .max(MAX_SECRET_FIELDS),
  deviceCertificateSha256: anyCaseSha256,
  stationId: z.string().regex(OPAQUE_ID),
  jobId: z.string().regex(OPAQUE_ID),
  workOrderId: z.string().regex(OPAQUE_ID).nullable().optional(),
  provisionedAt: instant,
  attestedAt: instant,
});

/** Input of {@link buildAttestation}. Hex may be in either case; it is normalized to lowercase. */
export interface AttestationInput {
  readonly deviceId: string;
  readonly product: string;
  readonly serial: string;
  readonly layout: { readonly name: string; readonly version: number; readonly digestSha256: string };
  readonly chip: { readonly family: string; readonly productId: number; readonly uidHex: string };
  /** The read-back, with every secret field masked to 0x00 (see maskSecretFields). */
  readonly readBack: { readonly data: Uint8Array; readonly lockBytes: Uint8Array };
  /** Every secret field of the layout with its commitment (see commitSecretField). */
  readonly secretFields: readonly {
    readonly name: string;
    readonly offsetBytes: number;
    readonly lengthBytes: number;
    readonly commitmentSha256: string;
  }[];
  readonly deviceCertificateSha256: string;
  readonly stationId: string;
  readonly jobId: string;
  readonly workOrderId?: string | null;
  readonly provisionedAt: Date;
  readonly attestedAt: Date;
}

type ParsedInput = z.output<typeof attestationInputSchema>;

function invalidInput(message: string, issues: readonly { path: string; message: string }[]): AttestationError {
  return new AttestationError('ATTESTATION_INPUT_INVALID', message, { issues });
}

function parseInput(input: AttestationInput): ParsedInput {
  const parsed = attestationInputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = zodIssues(parsed.error);
  throw invalidInput(`attestation input is invalid: ${issues.map((i) => i.path).join(', ')}`, issues);
}

function checkedSecretFields(value: ParsedInput): AttestedSecretField[] {
  const fields = [...value.secretFields]
    .sort((a, b) => a.offsetBytes - b.offsetBytes)
    .map((f) => ({ ...f, commitmentSha256: f.commitmentSha256.toLowerCase() }));
  const layoutIssues = secretFieldLayoutIssues(fields, value.readBack.data.length, 'secretFields');
  if (layoutIssues.length > 0) throw invalidInput('secret fields do not fit the OTP data', layoutIssues);
  const unmasked = unmaskedSecretFields(value.readBack.data, fields);
  if (unmasked.length > 0) {
    throw new AttestationError(
      'ATTESTATION_SECRET_BYTES_PRESENT',
      `read-back holds unmasked secret bytes in: ${unmasked.join(', ')} (mask them with maskSecretFields)`,
    );
  }
  return fields;
}

function assemble(value: ParsedInput, secretFields: readonly AttestedSecretField[]): Attestation {
  const { layout, chip, readBack } = value;
  return {
    formatVersion: ATTESTATION_FORMAT_VERSION,
    deviceId: value.deviceId,
    product: value.product,
    serial: value.serial,
    layout: { name: layout.name, version: layout.version, digestSha256: layout.digestSha256.toLowerCase() },
    chip: { family: chip.family, productId: chip.productId, uidHex: chip.uidHex.toLowerCase() },
    otp: {
      dataHex: bytesToHex(readBack.data),
      dataSha256: sha256Hex(readBack.data),
      lockBytesHex: bytesToHex(readBack.lockBytes),
      lockBytesSha256: sha256Hex(readBack.lockBytes),
      secretFields,
    },
    deviceCertificateSha256: value.deviceCertificateSha256.toLowerCase(),
    stationId: value.stationId,
    jobId: value.jobId,
    workOrderId: value.workOrderId ?? null,
    provisionedAt: value.provisionedAt.toISOString(),
    attestedAt: value.attestedAt.toISOString(),
  };
}

/**
 * Builds a v1 attestation from what the station read back. `readBack.data` must already have
 * every secret field masked to 0x00 (maskSecretFields), and each secret field carries the
 * commitment computed when its value was known (commitSecretField): secret bytes never enter the
 * output, and input that still holds them is refused. Hex is normalized to lowercase, times to
 * RFC 3339 UTC milliseconds, secret fields sorted by offset, an absent workOrderId becomes null.
 * @throws AttestationError ATTESTATION_INPUT_INVALID (issues name the fields) for invalid or
 * unknown input fields and secret field ranges outside the data or overlapping;
 * ATTESTATION_SECRET_BYTES_PRESENT if a secret field's read-back bytes are not all 0x00.
 */
export function buildAttestation(input: AttestationInput): Attestation {
  const value = parseInput(input);
  const attestation = assemble(value, checkedSecretFields(value));
  checkAttestationConsistency(attestation);
  return attestation;
}
