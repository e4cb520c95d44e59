import { decodeCanonicalBase64 } from '#ingrain/encoding';
import { AttestationError } from './errors.js';

/** One DSSE signature: keyid is an unauthenticated hint, sig is base64 of a DER ECDSA signature. */
export interface DsseSignature {
  readonly keyid: string;
  readonly sig: string;
}

/** A DSSE v1.0 JSON envelope (secure-systems-lab/dsse envelope.md). */
export interface DsseEnvelope {
  readonly payloadType: string;
  /** Standard base64 (RFC 4648 §4) of the payload bytes. */
  readonly payload: string;
  readonly signatures: readonly DsseSignature[];
}

/**
 * An envelope with its base64 decoded, unknown fields dropped and missing keyids set to "". Each
 * decoded field keeps the standard base64 of its bytes, so the normal form costs no re-encoding.
 */
export interface DecodedEnvelope {
  readonly payloadType: string;
  readonly payloadBytes: Uint8Array;
  /** Standard padded base64 of payloadBytes. */
  readonly payloadBase64: string;
  readonly signatures: readonly DecodedSignature[];
}

/** One decoded signature: `sigBase64` is the standard padded base64 of sigBytes. */
export interface DecodedSignature {
  readonly keyid: string;
  readonly sigBytes: Uint8Array;
  readonly sigBase64: string;
}

/** DSSE allows any number; more than this is not something Ingrain ever writes. */
export const MAX_ENVELOPE_SIGNATURES = 16;

/**
 * DSSE v1 pre-authentication encoding, the bytes that are actually signed:
 * "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN = ASCII decimal byte count, SP = 0x20.
 */
export function dssePreAuthenticationEncoding(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = Buffer.from(payloadType, 'utf8');
  const header = Buffer.from(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `, 'utf8');
  const out = new Uint8Array(header.length + payload.length);
  out.set(header);
  out.set(payload, header.length);
  return out;
}

const malformed = (message: string, cause?: unknown): AttestationError =>
  new AttestationError('ATTESTATION_MALFORMED', `DSSE envelope ${message}`, { cause });

function field(object: object, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, name) ? (object as Record<string, unknown>)[name] : undefined;
}

function decodeBase64Field(value: unknown, what: string): { bytes: Uint8Array; standardBase64: string } {
  if (typeof value !== 'string') throw malformed(`${what} is not a string`);
  try {
    return decodeCanonicalBase64(value, { allowUrl: true });
  } catch (error) {
    throw malformed(`${what} is not canonical base64`, error);
  }
}

function decodeSignature(value: unknown, index: number): DecodedSignature {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed(`signatures[${index}] is not an object`);
  const keyid = field(value, 'keyid') ?? '';
  if (typeof keyid !== 'string') throw malformed(`signatures[${index}].keyid is not a string`);
  const sig = decodeBase64Field(field(value, 'sig'), `signatures[${index}].sig`);
  return { keyid, sigBytes: sig.bytes, sigBase64: sig.standardBase64 };
}

/**
 * Decodes a DSSE envelope (a parsed JSON value). Follows DSSE's parsing rules: payload,
 * payloadType and signatures[].sig are required, keyid is optional (absent = ""), unknown fields
 * are ignored. Base64 may be standard (padded) or URL-safe (unpadded) but must be canonical, so
 * a changed character always changes the bytes.
 * @throws AttestationError ATTESTATION_MALFORMED naming the offending field.
 */
export function decodeDsseEnvelope(envelope: unknown): DecodedEnvelope {
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope))
    throw malformed('is not a JSON object');
  const payloadType = field(envelope, 'payloadType');
  if (typeof payloadType !== 'string') throw malformed('payloadType is not a string');
  const payload = decodeBase64Field(field(envelope, 'payload'), 'payload');
  const signatures = field(envelope, 'signatures');
  if (!Array.isArray(signatures) || signatures.length === 0 || signatures.length > MAX_ENVELOPE_SIGNATURES) {
    throw malformed(`signatures must be an array of 1-${MAX_ENVELOPE_SIGNATURES}`);
  }
  return {
    payloadType,
    payloadBytes: payload.bytes,
    payloadBase64: payload.standardBase64,
    signatures: signatures.map(decodeSignature),
  };
}

/** The envelope in Ingrain's normal form: standard padded base64, keyid always present, no other fields. */
export function encodeDsseEnvelope(decoded: DecodedEnvelope): DsseEnvelope {
  return {
    payloadType: decoded.payloadType,
    payload: decoded.payloadBase64,
    signatures: decoded.signatures.map((s) => ({ keyid: s.keyid, sig: s.sigBase64 })),
  };
}
