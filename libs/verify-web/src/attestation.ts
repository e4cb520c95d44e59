// The signed attestation (docs/attestation.md): the DSSE envelope, its PAE and signature, the v1
// payload (exactly canonical JCS) with its cross-field rules, and the log leaf bytes.
import { decodeUtf8, fromAnyBase64, fromHex, sha256, toBase64, toHex, utf8 } from './bytes.js';
import { verifyDerSignature, type VerifyKey } from './ecdsa.js';
import { canonicalJson } from './jcs.js';

export const ATTESTATION_PAYLOAD_TYPE = 'application/vnd.ingrain.attestation.v1+json';

export interface Envelope {
  readonly payloadType: string;
  readonly payload: string;
  readonly signatures: readonly { readonly keyid: string; readonly sig: string }[];
}

/** The fields of a v1 attestation this verifier reads (the payload is checked in full). */
export interface AttestationFacts {
  readonly deviceId: string;
  readonly product: string;
  readonly serial: string;
  readonly layout: { readonly name: string; readonly version: number; readonly digestSha256: string };
  readonly chip: { readonly family: string; readonly productId: number; readonly uidHex: string };
  readonly otp: {
    readonly dataHex: string;
    readonly dataSha256: string;
    readonly lockBytesHex: string;
    readonly lockBytesSha256: string;
    readonly secretFields: readonly {
      readonly name: string;
      readonly offsetBytes: number;
      readonly lengthBytes: number;
      readonly commitmentSha256: string;
    }[];
  };
  readonly deviceCertificateSha256: string;
  readonly stationId: string;
  readonly jobId: string;
  readonly workOrderId: string | null;
  readonly provisionedAt: string;
  readonly attestedAt: string;
}

export class AttestationProblem extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AttestationProblem';
  }
}

const malformed = (message: string) => new AttestationProblem('ATTESTATION_MALFORMED', message);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The envelope's shape (DSSE: keyid optional = "", unknown members ignored). */
export function parseEnvelope(value: unknown): Envelope {
  if (!isRecord(value)) throw malformed('the envelope is not an object');
  const { payloadType, payload, signatures } = value;
  if (typeof payloadType !== 'string' || typeof payload !== 'string' || !Array.isArray(signatures)) {
    throw malformed('the envelope needs payloadType, payload and signatures');
  }
  return {
    payloadType,
    payload,
    signatures: signatures.map((signature) => {
      if (!isRecord(signature) || typeof signature['sig'] !== 'string') throw malformed('a signature has no sig');
      const keyid = signature['keyid'] ?? '';
      if (typeof keyid !== 'string') throw malformed('a keyid is not a string');
      return { keyid, sig: signature['sig'] };
    }),
  };
}

/** DSSE v1 pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload. */
export function preAuthenticationEncoding(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = utf8(payloadType);
  const prefix = utf8(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `);
  const out = new Uint8Array(prefix.length + payload.length);
  out.set(prefix);
  out.set(payload, prefix.length);
  return out;
}

/**
 * The payload type, then one signature whose keyid is the key's (or empty) verifying over the PAE.
 * @returns the payload bytes. @throws AttestationProblem.
 */
export async function verifyEnvelopeSignature(
  envelope: Envelope,
  key: VerifyKey,
  keyIdHex: string,
): Promise<Uint8Array> {
  const version = /^application\/vnd\.ingrain\.attestation\.v(\d+)\+json$/.exec(envelope.payloadType);
  if (version === null) throw malformed(`payloadType "${envelope.payloadType}" is not an Ingrain attestation`);
  if (envelope.payloadType !== ATTESTATION_PAYLOAD_TYPE) {
    throw new AttestationProblem(
      'ATTESTATION_UNSUPPORTED_VERSION',
      `attestation version ${version[1]} is not read by this verifier`,
    );
  }
  const payload = fromAnyBase64(envelope.payload);
  if (payload === undefined) throw malformed('the payload is not canonical base64');
  const signed = preAuthenticationEncoding(envelope.payloadType, payload);
  for (const signature of envelope.signatures) {
    if (signature.keyid !== '' && signature.keyid !== keyIdHex) continue;
    const der = fromAnyBase64(signature.sig);
    if (der !== undefined && (await verifyDerSignature(key, der, signed))) return payload;
  }
  throw new AttestationProblem(
    'ATTESTATION_SIGNATURE_INVALID',
    'no signature verifies with the published attestation key',
  );
}

// The field rules of docs/attestation.md "The statement".
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PRINTABLE = /^[\x21-\x7e]{1,128}$/;
const FAMILY = /^[a-z0-9][a-z0-9-]{0,31}$/;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_SECRET_FIELDS = 64;

const text = (value: unknown, path: string, pattern?: RegExp): string => {
  if (typeof value !== 'string') throw malformed(`${path} is not a string`);
  if (pattern !== undefined && !pattern.test(value)) throw malformed(`${path} does not follow its rule`);
  return value;
};
const integer = (value: unknown, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
    throw malformed(`${path} is not a whole number from ${min} to ${max}`);
  return value;
};
const sha256Hex = (value: unknown, path: string): string => {
  const hex = text(value, path);
  if (!/^[0-9a-f]{64}$/.test(hex)) throw malformed(`${path} is not 64 lowercase hex digits`);
  return hex;
};
const lowerHex = (value: unknown, path: string, minBytes: number, maxBytes: number): string => {
  const hex = text(value, path);
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw malformed(`${path} is not lowercase hex`);
  if (hex.length / 2 < minBytes || hex.length / 2 > maxBytes)
    throw malformed(`${path} is not ${minBytes}-${maxBytes} bytes`);
  return hex;
};
/** An object with exactly `keys` ("every field is required; no other field is allowed anywhere"). */
const record = (value: unknown, path: string, keys: readonly string[]): Record<string, unknown> => {
  if (!isRecord(value)) throw malformed(`${path} is not an object`);
  const extra = Object.keys(value).find((key) => !keys.includes(key));
  if (extra !== undefined) throw malformed(`${path} has a field ${extra} that v1 does not define`);
  const missing = keys.find((key) => !(key in value));
  if (missing !== undefined) throw malformed(`${path}.${missing} is missing`);
  return value;
};
const ROOT_KEYS = [
  'formatVersion',
  'deviceId',
  'product',
  'serial',
  'layout',
  'chip',
  'otp',
  'deviceCertificateSha256',
  'stationId',
  'jobId',
  'workOrderId',
  'provisionedAt',
  'attestedAt',
];
const OTP_KEYS = ['dataHex', 'dataSha256', 'lockBytesHex', 'lockBytesSha256', 'secretFields'];

function readFacts(value: unknown): AttestationFacts {
  if (isRecord(value) && value['formatVersion'] !== 1) {
    throw new AttestationProblem('ATTESTATION_UNSUPPORTED_VERSION', 'formatVersion is not 1');
  }
  const root = record(value, 'attestation', ROOT_KEYS);
  const layout = record(root['layout'], 'layout', ['name', 'version', 'digestSha256']);
  const chip = record(root['chip'], 'chip', ['family', 'productId', 'uidHex']);
  const otp = record(root['otp'], 'otp', OTP_KEYS);
  const secretFields = otp['secretFields'];
  if (!Array.isArray(secretFields) || secretFields.length > MAX_SECRET_FIELDS) {
    throw malformed(`otp.secretFields is not a list of at most ${MAX_SECRET_FIELDS}`);
  }
  const workOrderId = root['workOrderId'];
  return {
    deviceId: text(root['deviceId'], 'deviceId', PRINTABLE),
    product: text(root['product'], 'product', IDENTIFIER),
    serial: text(root['serial'], 'serial', IDENTIFIER),
    layout: {
      name: text(layout['name'], 'layout.name', IDENTIFIER),
      version: integer(layout['version'], 'layout.version', 1, 2 ** 31 - 1),
      digestSha256: sha256Hex(layout['digestSha256'], 'layout.digestSha256'),
    },
    chip: {
      family: text(chip['family'], 'chip.family', FAMILY),
      productId: integer(chip['productId'], 'chip.productId', 0, 0xffff),
      uidHex: lowerHex(chip['uidHex'], 'chip.uidHex', 1, 32),
    },
    otp: {
      dataHex: lowerHex(otp['dataHex'], 'otp.dataHex', 1, 4096),
      dataSha256: sha256Hex(otp['dataSha256'], 'otp.dataSha256'),
      lockBytesHex: lowerHex(otp['lockBytesHex'], 'otp.lockBytesHex', 0, 256),
      lockBytesSha256: sha256Hex(otp['lockBytesSha256'], 'otp.lockBytesSha256'),
      secretFields: secretFields.map((field: unknown, i) => {
        const f = record(field, `otp.secretFields[${i}]`, ['name', 'offsetBytes', 'lengthBytes', 'commitmentSha256']);
        return {
          name: text(f['name'], `otp.secretFields[${i}].name`, FIELD_NAME),
          offsetBytes: integer(f['offsetBytes'], `otp.secretFields[${i}].offsetBytes`),
          lengthBytes: integer(f['lengthBytes'], `otp.secretFields[${i}].lengthBytes`),
          commitmentSha256: sha256Hex(f['commitmentSha256'], `otp.secretFields[${i}].commitmentSha256`),
        };
      }),
    },
    deviceCertificateSha256: sha256Hex(root['deviceCertificateSha256'], 'deviceCertificateSha256'),
    stationId: text(root['stationId'], 'stationId', PRINTABLE),
    jobId: text(root['jobId'], 'jobId', PRINTABLE),
    workOrderId: workOrderId === null ? null : text(workOrderId, 'workOrderId', PRINTABLE),
    provisionedAt: text(root['provisionedAt'], 'provisionedAt', INSTANT),
    attestedAt: text(root['attestedAt'], 'attestedAt', INSTANT),
  };
}

/**
 * The payload as a v1 attestation: UTF-8 JSON in exactly its canonical form, then the fields and
 * the cross-field rules (digests match their hex, secret fields inside the data, sorted, disjoint,
 * and every secret byte masked to 00). @throws AttestationProblem.
 */
export async function decodeAttestationPayload(payload: Uint8Array): Promise<AttestationFacts> {
  const json = decodeUtf8(payload);
  if (json === undefined) throw malformed('the payload is not UTF-8');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw malformed('the payload is not JSON');
  }
  let canonical: string;
  try {
    canonical = canonicalJson(value);
  } catch (error) {
    throw malformed(`the payload is outside the JCS profile: ${(error as Error).message}`);
  }
  if (canonical !== json) throw malformed('the payload is not in its canonical (RFC 8785) form');
  const facts = readFacts(value);
  const data = fromHex(facts.otp.dataHex)!;
  const lock = fromHex(facts.otp.lockBytesHex)!;
  if (toHex(await sha256(data)) !== facts.otp.dataSha256)
    throw malformed('otp.dataSha256 is not the SHA-256 of otp.dataHex');
  if (toHex(await sha256(lock)) !== facts.otp.lockBytesSha256)
    throw malformed('otp.lockBytesSha256 is not the SHA-256 of otp.lockBytesHex');
  let end = 0;
  const names = new Set(facts.otp.secretFields.map((field) => field.name));
  if (names.size !== facts.otp.secretFields.length) throw malformed('two secret fields share a name');
  for (const field of facts.otp.secretFields) {
    if (field.offsetBytes < end) throw malformed(`secret field ${field.name} overlaps or is out of order`);
    end = field.offsetBytes + field.lengthBytes;
    if (end > data.length) throw malformed(`secret field ${field.name} lies outside the OTP data`);
    if (data.subarray(field.offsetBytes, end).some((byte) => byte !== 0)) {
      throw new AttestationProblem(
        'ATTESTATION_SECRET_BYTES_PRESENT',
        `secret field ${field.name} is not masked to 00`,
      );
    }
  }
  return facts;
}

/** The log leaf: JCS of the envelope in normal form (standard padded base64, keyid "" when absent). */
export function attestationLeafBytes(envelope: Envelope): Uint8Array {
  const reencode = (b64: string): string => {
    const bytes = fromAnyBase64(b64);
    if (bytes === undefined) throw malformed('envelope base64 is not canonical');
    return toBase64(bytes);
  };
  return utf8(
    canonicalJson({
      payload: reencode(envelope.payload),
      payloadType: envelope.payloadType,
      signatures: envelope.signatures.map((signature) => ({ keyid: signature.keyid, sig: reencode(signature.sig) })),
    }),
  );
}
