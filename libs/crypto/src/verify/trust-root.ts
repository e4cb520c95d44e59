// The trust root: everything an auditor trusts, in one versioned file (docs/verifier.md "Trust
// root"). Produced by `ingrain-admin trust-root export` and `GET /v1/trust-root` (same bytes for the
// same deployment), read by `ingrain-verify --trust-root`. The one definition of the format.
import { createHash, createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { decodePem, encodePem } from '../encoding/index.js';
import { isValidOrigin } from '../log/checkpoint.js';
import { noteVerifierKeyString } from '../log/index.js';
import { VerifierError } from './errors.js';
import type { VerifierTrustInput } from './trust.js';

/** `format` value of a version 1 trust root. */
export const TRUST_ROOT_FORMAT = 'ingrain.trust-root.v1';

/** A witness policy: cosignatures of at least `threshold` of `keys` (c2sp.org/signed-note vkeys). */
export interface TrustRootWitnesses {
  /** Verifier key strings `<name>+<8 hex key hash>+<base64(type ‖ public key)>`, as given. */
  readonly keys: readonly string[];
  /** 0 when `keys` is empty (no witnessing), else 1 ≤ threshold ≤ keys.length. */
  readonly threshold: number;
}

/** What a trust root holds (the input of {@link serializeTrustRoot}, the output of {@link parseTrustRoot}). */
export interface TrustRoot {
  /** DER SPKI of every trusted attestation key (ECDSA P-256), the current one first. */
  readonly attestationPublicKeysSpkiDer: readonly Uint8Array[];
  /** Every trusted device CA certificate (PEM), the current one first. */
  readonly deviceCaCertificatesPem: readonly string[];
  readonly log: {
    /** The checkpoints' origin line (also the note key name). */
    readonly origin: string;
    /** DER SPKI of the log's checkpoint key (ECDSA P-256). */
    readonly publicKeySpkiDer: Uint8Array;
  };
  readonly witnesses: TrustRootWitnesses;
}

const pemText = z.string().min(1).max(16_384);
const vkey = z.string().min(1).max(1024);

const documentSchema = z.strictObject({
  format: z.literal(TRUST_ROOT_FORMAT),
  attestationKeys: z.array(pemText).min(1).max(16),
  deviceCaCertificates: z.array(pemText).min(1).max(16),
  log: z.strictObject({
    origin: z.string().min(1).max(256),
    publicKey: pemText,
    verifierKey: vkey,
  }),
  witnesses: z.strictObject({
    threshold: z.number().int().min(0).max(64),
    keys: z.array(vkey).max(64),
  }),
});

/** A trust root as JSON. */
export type TrustRootDocument = z.output<typeof documentSchema>;

function invalid(field: string, reason: string, cause?: unknown): never {
  throw new VerifierError('VERIFY_TRUST_ROOT_INVALID', `trust root: ${field}: ${reason}`, { cause });
}

function p256Spki(pem: string, field: string): Uint8Array {
  let der: Uint8Array;
  try {
    der = decodePem(pem, 'PUBLIC KEY');
  } catch (cause) {
    return invalid(field, 'is not a PEM "PUBLIC KEY"', cause);
  }
  try {
    const key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return der;
  } catch (cause) {
    return invalid(field, 'is not a DER SubjectPublicKeyInfo', cause);
  }
  return invalid(field, 'is not an ECDSA P-256 public key');
}

function certificatePem(pem: string, field: string): string {
  try {
    decodePem(pem, 'CERTIFICATE');
  } catch (cause) {
    return invalid(field, 'is not a PEM "CERTIFICATE"', cause);
  }
  return pem;
}

// c2sp.org/signed-note: key hash = first 4 bytes of SHA-256(name ‖ "\n" ‖ type ‖ public key).
// Types with a fixed public key length: 0x01 Ed25519, 0x04 Ed25519 cosignature/v1 (tlog-cosignature).
const ED25519_TYPES = new Set([0x01, 0x04]);
const ED25519_PUBLIC_KEY_BYTES = 32;

/**
 * Checks the syntax of a note verifier key string `<name>+<8 hex>+<base64>`: a valid key name, a
 * standard base64 key with a type byte; for Ed25519 types (0x01, 0x04) a 32-byte key whose hash is
 * the c2sp.org/signed-note one. Returns the reason it is not valid, or undefined.
 */
export function verifierKeyProblem(text: string): string | undefined {
  // The name has no '+'; the base64 key may contain some.
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) return 'must be "<name>+<8 hex digits>+<base64 key>"';
  const [name, hashHex, material] = [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
  if (!isValidOrigin(name)) return 'the key name is empty or has a space';
  if (!/^[0-9a-f]{8}$/.test(hashHex)) return 'the key hash must be 8 lowercase hex digits';
  const bytes = Buffer.from(material, 'base64');
  if (bytes.length < 2 || bytes.toString('base64') !== material) return 'the key is not standard base64';
  const type = bytes[0] ?? 0;
  if (!ED25519_TYPES.has(type)) return undefined;
  if (bytes.length !== 1 + ED25519_PUBLIC_KEY_BYTES) return `a type 0x0${type} key must be 32 bytes`;
  const hash = createHash('sha256').update(`${name}\n`).update(bytes).digest().subarray(0, 4).toString('hex');
  return hash === hashHex ? undefined : `the key hash is ${hashHex}, the key's is ${hash}`;
}

function witnessPolicy(document: TrustRootDocument['witnesses']): TrustRootWitnesses {
  document.keys.forEach((key, i) => {
    const problem = verifierKeyProblem(key);
    if (problem !== undefined) invalid(`witnesses.keys[${i}]`, problem);
    if (document.keys.indexOf(key) !== i) invalid(`witnesses.keys[${i}]`, 'is listed twice');
  });
  const n = document.keys.length;
  if (n === 0 && document.threshold !== 0) invalid('witnesses.threshold', 'must be 0 when no witness key is listed');
  if (n > 0 && (document.threshold < 1 || document.threshold > n)) {
    invalid('witnesses.threshold', `must be from 1 to ${n} (the number of witness keys)`);
  }
  return { keys: [...document.keys], threshold: document.threshold };
}

function zodProblem(error: z.ZodError): never {
  const issue = error.issues[0];
  const field = issue?.path.join('.') || '(root)';
  return invalid(field, issue?.message ?? 'invalid');
}

/**
 * Parses a decoded trust root file. Throws VerifierError VERIFY_TRUST_ROOT_INVALID naming the field
 * and the reason: an unknown `format`, a missing or extra field, a key that is not a PEM ECDSA P-256
 * SPKI, a CA that is not a PEM certificate, an invalid origin, a `log.verifierKey` that is not the
 * one of `log.origin` and `log.publicKey`, a malformed or repeated witness key, or a threshold
 * outside 1..n (0 without witness keys).
 */
export function parseTrustRoot(input: unknown): TrustRoot {
  const format = typeof input === 'object' && input !== null && 'format' in input ? input.format : undefined;
  if (format !== TRUST_ROOT_FORMAT) {
    invalid('format', `${JSON.stringify(format)} is not "${TRUST_ROOT_FORMAT}"`);
  }
  const parsed = documentSchema.safeParse(input);
  if (!parsed.success) zodProblem(parsed.error);
  const document = parsed.data;
  const attestationPublicKeysSpkiDer = document.attestationKeys.map((pem, i) => p256Spki(pem, `attestationKeys[${i}]`));
  const deviceCaCertificatesPem = document.deviceCaCertificates.map((pem, i) =>
    certificatePem(pem, `deviceCaCertificates[${i}]`),
  );
  const { origin } = document.log;
  if (!isValidOrigin(origin)) invalid('log.origin', 'must be non-empty, without spaces or "+"');
  const publicKeySpkiDer = p256Spki(document.log.publicKey, 'log.publicKey');
  const expected = noteVerifierKeyString(origin, publicKeySpkiDer);
  if (document.log.verifierKey !== expected) {
    invalid('log.verifierKey', 'is not the verifier key of log.origin and log.publicKey');
  }
  return {
    attestationPublicKeysSpkiDer,
    deviceCaCertificatesPem,
    log: { origin, publicKeySpkiDer },
    witnesses: witnessPolicy(document.witnesses),
  };
}

/** The JSON document of a trust root (the log's verifier key string is derived here). */
export function trustRootDocument(root: TrustRoot): TrustRootDocument {
  return {
    format: TRUST_ROOT_FORMAT,
    attestationKeys: root.attestationPublicKeysSpkiDer.map((der) => encodePem('PUBLIC KEY', der)),
    deviceCaCertificates: [...root.deviceCaCertificatesPem],
    log: {
      origin: root.log.origin,
      publicKey: encodePem('PUBLIC KEY', root.log.publicKeySpkiDer),
      verifierKey: noteVerifierKeyString(root.log.origin, root.log.publicKeySpkiDer),
    },
    witnesses: { threshold: root.witnesses.threshold, keys: [...root.witnesses.keys] },
  };
}

/**
 * The trust root file's exact bytes: the document as JSON, two-space indented, members in the
 * documented order, ending in a newline. Checked by parsing first (throws what {@link parseTrustRoot}
 * throws), so a producer cannot write a file the verifier refuses.
 */
export function serializeTrustRoot(root: TrustRoot): string {
  const document = trustRootDocument(root);
  parseTrustRoot(document);
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The verifier's trust input from a parsed trust root (the first key and CA lead; the others are also trusted). */
export function trustInputFromRoot(root: TrustRoot, at?: Date): VerifierTrustInput {
  const [attestationKey, ...otherKeys] = root.attestationPublicKeysSpkiDer;
  const [ca, ...otherCas] = root.deviceCaCertificatesPem;
  if (attestationKey === undefined) return invalid('attestationKeys', 'must hold at least one key');
  if (ca === undefined) return invalid('deviceCaCertificates', 'must hold at least one certificate');
  return {
    attestationPublicKeySpkiDer: attestationKey,
    logPublicKeySpkiDer: root.log.publicKeySpkiDer,
    caCertificatePem: ca,
    origin: root.log.origin,
    ...(otherKeys.length > 0 && { additionalAttestationPublicKeysSpkiDer: otherKeys }),
    ...(otherCas.length > 0 && { additionalCaCertificatesPem: otherCas }),
    ...(at && { at }),
  };
}
