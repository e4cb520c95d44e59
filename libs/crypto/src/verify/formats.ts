import { z } from 'zod';
import { VerifierError } from './errors.js';

/** `format` value of a version 1 verification bundle (docs/verifier.md). */
export const VERIFICATION_BUNDLE_FORMAT = 'ingrain.verification-bundle.v1';
/** `format` value of a version 1 consistency proof file (docs/verifier.md). */
export const CONSISTENCY_PROOF_FORMAT = 'ingrain.consistency-proof.v1';

// Canonical standard base64 (RFC 4648 §4) of exactly 32 bytes: 42 free characters, one whose two
// low bits are zero, one pad. A regex (not decode-and-re-encode) keeps the edge parse cheap.
const HASH_BASE64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
const hashBase64 = z.string().regex(HASH_BASE64, 'must be the standard base64 of 32 bytes');
const toHash = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

const bundleSchema = z.strictObject({
  format: z.literal(VERIFICATION_BUNDLE_FORMAT),
  /** The signed attestation envelope exactly as the log recorded it (validated by its verifier). */
  attestation: z.looseObject({}),
  deviceCertificatePem: z.string().min(1),
  caCertificatePem: z.string().min(1),
  log: z.strictObject({
    leafIndex: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    inclusionProof: z.array(hashBase64).max(64),
    checkpoint: z.string().min(1),
  }),
});

/** A verification bundle as JSON (what is written to a file): hashes are base64 strings. */
export type VerificationBundleDocument = z.output<typeof bundleSchema>;
/** A parsed verification bundle: everything needed to verify one attestation offline. */
export type VerificationBundle = Omit<VerificationBundleDocument, 'log'> & {
  readonly log: Omit<VerificationBundleDocument['log'], 'inclusionProof'> & { readonly inclusionProof: Uint8Array[] };
};

const consistencySchema = z.strictObject({
  format: z.literal(CONSISTENCY_PROOF_FORMAT),
  /** A checkpoint note the auditor saw earlier (must be signed by the same log key). */
  oldCheckpoint: z.string().min(1),
  /** PROOF(old size, D[new size]) towards the bundle's checkpoint, RFC 9162 §2.1.4. */
  proof: z.array(hashBase64).max(128),
});

/** A consistency proof file as JSON. */
export type ConsistencyProofDocument = z.output<typeof consistencySchema>;
/** A parsed consistency proof file. */
export type ConsistencyProofFile = Omit<ConsistencyProofDocument, 'proof'> & {
  readonly proof: Uint8Array[];
  /** The checkpoint the proof leads to, when the input named it (the `GET /v1/log/consistency` answer). */
  readonly newCheckpoint?: string;
};

/** The answer of `GET /v1/log/consistency`, saved as is (docs/api.md): the file plus the newer note. */
const consistencyAnswerSchema = z.looseObject({
  newCheckpoint: z.string().min(1),
  consistencyFile: z.unknown(),
});

const hexBytes = z
  .string()
  .regex(/^(?:[0-9a-fA-F]{2})*$/, 'must be hex with an even number of digits')
  .transform((hex) => new Uint8Array(Buffer.from(hex, 'hex')));

/** OTP data hex in which a redacted (secret) byte may appear as `**`, as ingrain-station prints it. */
const redactableHex = z
  .string()
  .regex(/^(?:[0-9a-fA-F]{2}|\*\*)*$/, 'must be hex (or ** per redacted byte) with an even number of digits')
  .transform((text) => {
    const redactedOffsets: number[] = [];
    const bytes = new Uint8Array(text.length / 2);
    for (let offset = 0; offset < bytes.length; offset++) {
      const pair = text.slice(2 * offset, 2 * offset + 2);
      if (pair === '**') redactedOffsets.push(offset);
      else bytes[offset] = Number.parseInt(pair, 16);
    }
    return { bytes, redactedOffsets };
  });

const productId = z.union([
  z.number().int().min(0).max(0xffff),
  z
    .string()
    .regex(/^0x[0-9a-fA-F]{1,4}$/, 'must be a number or 0x-prefixed hex')
    .transform((hex) => Number.parseInt(hex.slice(2), 16)),
]);

/** The documented device-read shape (docs/verifier.md). Unknown extra fields are ignored. */
const documentedReadSchema = z.looseObject({
  otp: z.looseObject({ dataHex: redactableHex, lockBytesHex: hexBytes }),
  uidHex: hexBytes,
  family: z.string().min(1),
  productId,
});

/** What `ingrain-station read --json` prints (libs/otp deviceReadoutToJson). */
const stationReadSchema = z.looseObject({
  otpData: redactableHex,
  lockBytes: hexBytes,
  uid: hexBytes,
  family: z.string().min(1),
  productId,
});

/** A parsed fresh read of a device. */
export interface DeviceRead {
  readonly family: string;
  readonly productId: number;
  readonly uid: Uint8Array;
  /** Every OTP data byte; a redacted byte reads 0x00 here and is listed in `redactedOffsets`. */
  readonly otpData: Uint8Array;
  readonly redactedOffsets: readonly number[];
  readonly lockBytes: Uint8Array;
}

function formatOf(input: unknown): unknown {
  return typeof input === 'object' && input !== null && 'format' in input ? input.format : undefined;
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Validates a decoded JSON bundle. Throws VerifierError VERIFY_BUNDLE_UNSUPPORTED_FORMAT when
 * `format` is not the v1 identifier and VERIFY_BUNDLE_MALFORMED for any other shape error.
 */
export function parseVerificationBundle(input: unknown): VerificationBundle {
  const format = formatOf(input);
  if (format !== VERIFICATION_BUNDLE_FORMAT) {
    throw new VerifierError('VERIFY_BUNDLE_UNSUPPORTED_FORMAT', `unsupported bundle format ${JSON.stringify(format)}`);
  }
  const parsed = bundleSchema.safeParse(input);
  if (!parsed.success) throw new VerifierError('VERIFY_BUNDLE_MALFORMED', `bundle: ${issues(parsed.error)}`);
  const { log } = parsed.data;
  return { ...parsed.data, log: { ...log, inclusionProof: log.inclusionProof.map(toHash) } };
}

/**
 * Validates a consistency proof file, or the `GET /v1/log/consistency` answer saved as is (its
 * `consistencyFile` is the file; its `newCheckpoint` is kept so the verifier can say when the proof
 * leads to another checkpoint than the bundle's); VERIFY_CONSISTENCY_MALFORMED otherwise.
 */
export function parseConsistencyProofFile(input: unknown): ConsistencyProofFile {
  const isAnswer = typeof input === 'object' && input !== null && 'consistencyFile' in input;
  if (isAnswer) {
    const answer = consistencyAnswerSchema.safeParse(input);
    if (!answer.success) {
      throw new VerifierError('VERIFY_CONSISTENCY_MALFORMED', `consistency: ${issues(answer.error)}`);
    }
    return { ...parseConsistencyFileOnly(answer.data.consistencyFile), newCheckpoint: answer.data.newCheckpoint };
  }
  return parseConsistencyFileOnly(input);
}

function parseConsistencyFileOnly(input: unknown): ConsistencyProofFile {
  const parsed = consistencySchema.safeParse(input);
  if (!parsed.success) throw new VerifierError('VERIFY_CONSISTENCY_MALFORMED', `consistency: ${issues(parsed.error)}`);
  return { ...parsed.data, proof: parsed.data.proof.map(toHash) };
}

/**
 * Validates a device read in either accepted shape — the documented one (`otp.dataHex`,
 * `otp.lockBytesHex`, `uidHex`) or `ingrain-station read --json` output (`otpData`, `lockBytes`,
 * `uid`) — and normalizes it; VERIFY_DEVICE_READ_MALFORMED otherwise.
 */
export function parseDeviceRead(input: unknown): DeviceRead {
  const isStation = typeof input === 'object' && input !== null && 'otpData' in input;
  if (isStation) {
    const parsed = stationReadSchema.safeParse(input);
    if (!parsed.success)
      throw new VerifierError('VERIFY_DEVICE_READ_MALFORMED', `device read: ${issues(parsed.error)}`);
    const { family, productId, uid, otpData, lockBytes } = parsed.data;
    return { family, productId, uid, otpData: otpData.bytes, redactedOffsets: otpData.redactedOffsets, lockBytes };
  }
  const parsed = documentedReadSchema.safeParse(input);
  if (!parsed.success) throw new VerifierError('VERIFY_DEVICE_READ_MALFORMED', `device read: ${issues(parsed.error)}`);
  const { family, productId, uidHex, otp } = parsed.data;
  return {
    family,
    productId,
    uid: uidHex,
    otpData: otp.dataHex.bytes,
    redactedOffsets: otp.dataHex.redactedOffsets,
    lockBytes: otp.lockBytesHex,
  };
}
