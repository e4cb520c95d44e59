import { createECDH, createPrivateKey, createPublicKey, ECDH, KeyObject } from 'node:crypto';
import { HpkeError } from './errors.js';
import { labeledExpand, labeledExtract } from './kdf.js';
import { concatBytes, HPKE_KEM_DHKEM_P256_HKDF_SHA256, i2osp, kemSuiteId } from './suite.js';

// DHKEM(P-256, HKDF-SHA256), RFC 9180 §4.1 and §7.1, on node:crypto's ECDH (OpenSSL prime256v1).

/** RFC 9180 §7.1: Nsecret, Nenc = Npk (uncompressed SEC1 point), Nsk. */
export const P256_SHARED_SECRET_BYTES = 32;
export const P256_PUBLIC_KEY_BYTES = 65;
export const P256_PRIVATE_KEY_BYTES = 32;

const CURVE = 'prime256v1';
const KEM_SUITE_ID = kemSuiteId(HPKE_KEM_DHKEM_P256_HKDF_SHA256);
/** SEC 2 §2.4.2: the order n of the P-256 base point. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** A P-256 key pair as RFC 9180 serialises it: the 32-byte scalar and the 65-byte uncompressed point. */
export interface P256KeyPair {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * RFC 9180 §7.1.3 DeriveKeyPair for P-256: rejection-samples a scalar in [1, n) from
 * LabeledExpand(dkp_prk, "candidate", counter). Deterministic: the RFC's test vectors use it to fix
 * the ephemeral and recipient keys. `ikm` must have at least Nsk (32) bytes.
 * @throws HpkeError HPKE_INVALID_ARGUMENT for short ikm; HPKE_DERIVE_KEY_PAIR_FAILED after 256 tries.
 */
export function deriveP256KeyPair(ikm: Uint8Array): P256KeyPair {
  requireBytes(ikm, 'ikm');
  if (ikm.length < P256_PRIVATE_KEY_BYTES) {
    throw new HpkeError(
      'HPKE_INVALID_ARGUMENT',
      `ikm has ${ikm.length} bytes, needs at least ${P256_PRIVATE_KEY_BYTES}`,
    );
  }
  const dkpPrk = labeledExtract(KEM_SUITE_ID, new Uint8Array(0), 'dkp_prk', ikm);
  for (let counter = 0; counter <= 255; counter += 1) {
    // The bitmask of §7.1.3 is 0xff for P-256: every candidate byte is used as is.
    const candidate = labeledExpand(KEM_SUITE_ID, dkpPrk, 'candidate', i2osp(counter, 1), P256_PRIVATE_KEY_BYTES);
    const scalar = BigInt(`0x${Buffer.from(candidate).toString('hex')}`);
    if (scalar !== 0n && scalar < P256_ORDER) return keyPairFromScalar(candidate);
  }
  throw new HpkeError('HPKE_DERIVE_KEY_PAIR_FAILED', 'DeriveKeyPair found no valid P-256 scalar in 256 candidates');
}

/** A fresh random P-256 key pair (RFC 9180 GenerateKeyPair). */
export function generateP256KeyPair(): P256KeyPair {
  const ecdh = createECDH(CURVE);
  ecdh.generateKeys();
  return { privateKey: new Uint8Array(ecdh.getPrivateKey()), publicKey: new Uint8Array(ecdh.getPublicKey()) };
}

/**
 * Checks an encoded P-256 public key: exactly 65 bytes, the uncompressed form (0x04 || X || Y),
 * coordinates below p and the point on the curve. This rejects the identity (whose SEC1 encoding
 * is the single byte 0x00), compressed points and anything else. Returns the same bytes.
 * @throws HpkeError HPKE_INVALID_PUBLIC_KEY naming `what` and the length (never the bytes).
 */
export function validateP256PublicKey(bytes: Uint8Array, what = 'public key'): Uint8Array {
  requireBytes(bytes, what);
  if (bytes.length !== P256_PUBLIC_KEY_BYTES || bytes[0] !== 0x04) {
    throw new HpkeError(
      'HPKE_INVALID_PUBLIC_KEY',
      `${what} must be a ${P256_PUBLIC_KEY_BYTES}-byte uncompressed P-256 point (0x04 || X || Y), got ${bytes.length} bytes`,
    );
  }
  try {
    // OpenSSL's point decoding rejects coordinates >= p and points off the curve.
    ECDH.convertKey(Buffer.from(bytes), CURVE, undefined, undefined, 'uncompressed');
  } catch (error) {
    throw new HpkeError('HPKE_INVALID_PUBLIC_KEY', `${what} is not a point on P-256`, { cause: error });
  }
  return bytes;
}

/**
 * The uncompressed SEC1 encoding of a P-256 KeyObject's public point (of a public key, or of the
 * public half of a private key).
 * @throws HpkeError HPKE_INVALID_PUBLIC_KEY when the key is not on P-256.
 */
export function p256PublicKeyBytes(key: KeyObject): Uint8Array {
  requireP256(key, 'HPKE_INVALID_PUBLIC_KEY');
  const jwk = key.export({ format: 'jwk' });
  return concatBytes(new Uint8Array([0x04]), base64UrlField(jwk.x), base64UrlField(jwk.y));
}

/**
 * Reads a P-256 public key given as text: SEC1 uncompressed hex (130 digits, `04…`) or an SPKI PEM
 * (`-----BEGIN PUBLIC KEY-----`). Returns the validated 65-byte point.
 * @throws HpkeError HPKE_INVALID_PUBLIC_KEY for anything else.
 */
export function parseP256PublicKey(text: string): Uint8Array {
  const trimmed = text.trim();
  if (/^04[0-9a-fA-F]{128}$/.test(trimmed)) {
    return validateP256PublicKey(new Uint8Array(Buffer.from(trimmed, 'hex')));
  }
  if (trimmed.startsWith('-----BEGIN PUBLIC KEY-----')) {
    let key: KeyObject;
    try {
      key = createPublicKey({ key: trimmed, format: 'pem' });
    } catch (error) {
      throw new HpkeError('HPKE_INVALID_PUBLIC_KEY', 'public key PEM does not parse', { cause: error });
    }
    return validateP256PublicKey(p256PublicKeyBytes(key));
  }
  throw new HpkeError(
    'HPKE_INVALID_PUBLIC_KEY',
    `public key must be SEC1 uncompressed hex (130 digits starting 04) or an SPKI PEM (got ${trimmed.length} characters)`,
  );
}

/**
 * Reads a P-256 private key from a PKCS#8 or SEC1 PEM. The PEM text is a secret: it never enters
 * a message.
 * @throws HpkeError HPKE_INVALID_PRIVATE_KEY when it does not parse or is not on P-256.
 */
export function parseP256PrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    // The cause is OpenSSL's decoder error; it names the failure, not the key bytes.
    throw new HpkeError('HPKE_INVALID_PRIVATE_KEY', 'private key PEM does not parse', { cause: error });
  }
  requireP256(key, 'HPKE_INVALID_PRIVATE_KEY');
  return key;
}

/** The result of Encap: the KEM shared secret and `enc`, the serialised ephemeral public key. */
export interface Encapsulation {
  readonly sharedSecret: Uint8Array;
  readonly enc: Uint8Array;
}

/**
 * RFC 9180 §4.1 Encap(pkR). `ephemeral` fixes the ephemeral key pair (test vectors only: a reused
 * ephemeral key lets anyone who sees two envelopes relate them); by default it is fresh and random.
 */
export function encapP256(
  recipientPublicKey: Uint8Array,
  ephemeral: P256KeyPair = generateP256KeyPair(),
): Encapsulation {
  const pkRm = validateP256PublicKey(recipientPublicKey, 'recipient public key');
  const dh = diffieHellman(ephemeral.privateKey, pkRm, 'recipient public key');
  const enc = ephemeral.publicKey;
  return { sharedSecret: extractAndExpand(dh, concatBytes(enc, pkRm)), enc };
}

/**
 * RFC 9180 §4.1 Decap(enc, skR) with the recipient's private key as a node KeyObject.
 * @throws HpkeError HPKE_DECAP_FAILED when `enc` is not a valid P-256 point;
 * HPKE_INVALID_PRIVATE_KEY when the key is not a P-256 private key.
 */
export function decapP256(enc: Uint8Array, recipientPrivateKey: KeyObject): Uint8Array {
  requireBytes(enc, 'enc');
  requirePrivateP256(recipientPrivateKey);
  const pkRm = p256PublicKeyBytes(recipientPrivateKey);
  try {
    validateP256PublicKey(enc, 'enc');
  } catch (error) {
    throw new HpkeError('HPKE_DECAP_FAILED', `enc is not a valid P-256 public key (${enc.length} bytes)`, {
      cause: error,
    });
  }
  const scalar = p256PrivateScalar(recipientPrivateKey);
  try {
    return extractAndExpand(diffieHellman(scalar, enc, 'enc'), concatBytes(enc, pkRm));
  } finally {
    scalar.fill(0); // this copy of the private scalar is ours; the KeyObject keeps its own
  }
}

/** RFC 9180 §4.1 ExtractAndExpand(dh, kem_context). */
function extractAndExpand(dh: Uint8Array, kemContext: Uint8Array): Uint8Array {
  const eaePrk = labeledExtract(KEM_SUITE_ID, new Uint8Array(0), 'eae_prk', dh);
  return labeledExpand(KEM_SUITE_ID, eaePrk, 'shared_secret', kemContext, P256_SHARED_SECRET_BYTES);
}

/** RFC 9180 §7.1.1: DH(sk, pk) is the 32-byte x-coordinate of sk·pk. */
function diffieHellman(privateScalar: Uint8Array, publicKey: Uint8Array, what: string): Uint8Array {
  const ecdh = createECDH(CURVE);
  ecdh.setPrivateKey(Buffer.from(privateScalar));
  try {
    return new Uint8Array(ecdh.computeSecret(Buffer.from(publicKey)));
  } catch (error) {
    throw new HpkeError('HPKE_INVALID_PUBLIC_KEY', `${what} is not a point on P-256`, { cause: error });
  }
}

function keyPairFromScalar(scalar: Uint8Array): P256KeyPair {
  const ecdh = createECDH(CURVE);
  ecdh.setPrivateKey(Buffer.from(scalar));
  return { privateKey: scalar, publicKey: new Uint8Array(ecdh.getPublicKey()) };
}

function requirePrivateP256(key: KeyObject): void {
  if (!isKeyObject(key) || key.type !== 'private') {
    throw new HpkeError('HPKE_INVALID_PRIVATE_KEY', 'recipient private key must be a private KeyObject');
  }
  requireP256(key, 'HPKE_INVALID_PRIVATE_KEY');
}

function p256PrivateScalar(key: KeyObject): Uint8Array {
  requirePrivateP256(key);
  return base64UrlField(key.export({ format: 'jwk' }).d);
}

function requireP256(key: KeyObject, code: 'HPKE_INVALID_PUBLIC_KEY' | 'HPKE_INVALID_PRIVATE_KEY'): void {
  if (!isKeyObject(key) || key.type === 'secret') throw new HpkeError(code, 'expected an asymmetric KeyObject');
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || curve !== CURVE) {
    throw new HpkeError(code, `expected a P-256 key, got ${key.asymmetricKeyType ?? 'unknown'} ${curve ?? ''}`.trim());
  }
}

function isKeyObject(value: unknown): value is KeyObject {
  return value instanceof KeyObject;
}

function base64UrlField(value: string | undefined): Uint8Array {
  if (value === undefined) throw new HpkeError('HPKE_INVALID_ARGUMENT', 'JWK export lacks a coordinate');
  const bytes = Buffer.from(value, 'base64url');
  // JWK coordinates of P-256 are always 32 bytes (RFC 7518 §6.2.1.2).
  if (bytes.length !== 32) throw new HpkeError('HPKE_INVALID_ARGUMENT', 'JWK coordinate is not 32 bytes');
  return new Uint8Array(bytes);
}

/** @throws HpkeError HPKE_INVALID_ARGUMENT unless `value` is a Uint8Array. */
export function requireBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new HpkeError('HPKE_INVALID_ARGUMENT', `${what} must be a Uint8Array (bytes), got ${typeof value}`);
  }
}
