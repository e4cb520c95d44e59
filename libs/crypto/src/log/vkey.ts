import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { isValidOrigin } from './checkpoint.js';
import { createNoteVerifierKey, ecdsaNoteKeyId, type NoteVerifierKey, noteVerifierKeyString } from './signed-note.js';
import { WitnessError } from './witness-errors.js';

/** Signature type bytes of c2sp.org/signed-note "Signature types" this project understands. */
export const SIGNATURE_TYPE = {
  /** Plain Ed25519 note signatures (c2sp.org/signed-note "Ed25519 signatures"). */
  ed25519: 0x01,
  /** ECDSA as transparency-dev/witness implements it: the log's checkpoint key. */
  ecdsa: 0x02,
  /** Timestamped Ed25519 checkpoint cosignatures (c2sp.org/tlog-cosignature). */
  cosignatureV1: 0x04,
} as const;

/** An Ed25519 cosigner (witness) public key with its note name and key ID. */
export interface CosignerKey {
  readonly keyName: string;
  readonly keyId: number;
  /** The 32-byte RFC 8032 public key. */
  readonly publicKeyRaw: Uint8Array;
  readonly publicKey: KeyObject;
}

/** A parsed verifier key: an Ed25519 key (types 0x01 / 0x04) or the log's ECDSA key (0x02). */
export type ParsedVkey =
  { readonly type: 0x01 | 0x04; readonly key: CosignerKey } | { readonly type: 0x02; readonly key: NoteVerifierKey };

const ED25519_PUBLIC_KEY_BYTES = 32;
// DER SubjectPublicKeyInfo prefix of every Ed25519 key (RFC 8410 §4): SEQUENCE, AlgorithmIdentifier 1.3.101.112.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function invalid(message: string): never {
  throw new WitnessError('WITNESS_VKEY_INVALID', message);
}

const hexId = (keyId: number): string => keyId.toString(16).padStart(8, '0');

/**
 * Key ID of a key whose ID c2sp.org/signed-note recommends computing as
 * SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4], big-endian. For cosignature/v1 the
 * type is 0x04 (c2sp.org/tlog-cosignature "Format").
 */
export function namedKeyId(keyName: string, signatureType: number, publicKey: Uint8Array): number {
  return createHash('sha256')
    .update(Buffer.from(`${keyName}\n`, 'utf8'))
    .update(Uint8Array.of(signatureType))
    .update(publicKey)
    .digest()
    .readUInt32BE(0);
}

/** The 32-byte RFC 8032 encoding of an Ed25519 public (or private) KeyObject. */
export function ed25519PublicKeyRaw(key: KeyObject): Uint8Array {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'ed25519') invalid('the key is not an Ed25519 key');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(ED25519_SPKI_PREFIX.length));
}

function ed25519KeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/**
 * A cosigner key from its name and 32-byte Ed25519 public key, with the cosignature/v1 key ID.
 * Throws WITNESS_VKEY_INVALID for an invalid name or a key that is not 32 bytes.
 */
export function createCosignerKey(keyName: string, publicKeyRaw: Uint8Array): CosignerKey {
  if (!isValidOrigin(keyName)) invalid(`"${keyName}" is not a valid key name (non-empty, no spaces, no "+")`);
  if (publicKeyRaw.length !== ED25519_PUBLIC_KEY_BYTES) invalid('an Ed25519 public key is 32 bytes');
  const keyId = namedKeyId(keyName, SIGNATURE_TYPE.cosignatureV1, publicKeyRaw);
  return { keyName, keyId, publicKeyRaw: publicKeyRaw.slice(), publicKey: ed25519KeyObject(publicKeyRaw) };
}

/** `<name>+<hex key ID>+base64(0x04 ‖ 32-byte key)`: the cosigner's vkey (c2sp.org/signed-note "Verifier keys"). */
export function cosignerVkeyString(key: CosignerKey): string {
  const material = Buffer.concat([Uint8Array.of(SIGNATURE_TYPE.cosignatureV1), key.publicKeyRaw]).toString('base64');
  return `${key.keyName}+${hexId(key.keyId)}+${material}`;
}

/**
 * The vkey of the log's ECDSA P-256 checkpoint key, `<origin>+<hex key ID>+base64(0x02 ‖ DER SPKI)`,
 * key ID = SHA-256(DER SPKI)[:4] (c2sp.org/signed-note type 0x02). Same as {@link noteVerifierKeyString}.
 */
export function logVkeyString(origin: string, logPublicKeySpkiDer: Uint8Array): string {
  return noteVerifierKeyString(origin, logPublicKeySpkiDer);
}

function splitVkey(text: string): { keyName: string; keyId: number; type: number; material: Uint8Array } {
  // The key name has no '+', the ID is hex: the base64 after the second '+' may contain more.
  const [keyName, idHex, ...rest] = text.split('+');
  const encoded = rest.join('+');
  if (keyName === undefined || idHex === undefined || rest.length === 0) {
    invalid('a vkey is <key name>+<8 hex digits>+<base64>');
  }
  if (!isValidOrigin(keyName)) invalid(`"${keyName}" is not a valid key name`);
  if (!/^[0-9a-f]{8}$/.test(idHex)) invalid('the key ID is not 8 lowercase hex digits');
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length < 2 || bytes.toString('base64') !== encoded) invalid('the key material is not standard base64');
  return {
    keyName,
    keyId: Number.parseInt(idHex, 16),
    type: bytes[0] ?? 0,
    material: new Uint8Array(bytes.subarray(1)),
  };
}

/**
 * Parses a verifier key string (c2sp.org/signed-note "Verifier keys") of type 0x01 or 0x04
 * (Ed25519) or 0x02 (ECDSA P-256, the log's key) and checks its key ID against the key.
 * Throws WITNESS_VKEY_INVALID naming what is wrong (never echoing the key material).
 */
export function parseVkey(text: string): ParsedVkey {
  const { keyName, keyId, type, material } = splitVkey(text.trim());
  if (type === SIGNATURE_TYPE.ecdsa) {
    if (ecdsaNoteKeyId(material) !== keyId) invalid(`key ID ${hexId(keyId)} does not match the ECDSA key`);
    try {
      return { type, key: createNoteVerifierKey(keyName, material) };
    } catch (cause) {
      throw new WitnessError('WITNESS_VKEY_INVALID', 'the type 0x02 key is not an ECDSA P-256 SPKI', { cause });
    }
  }
  if (type !== SIGNATURE_TYPE.ed25519 && type !== SIGNATURE_TYPE.cosignatureV1) {
    invalid(`signature type 0x${type.toString(16).padStart(2, '0')} is not supported (0x01, 0x02, 0x04 are)`);
  }
  if (material.length !== ED25519_PUBLIC_KEY_BYTES) invalid('an Ed25519 public key is 32 bytes');
  const expected = namedKeyId(keyName, type, material);
  if (expected !== keyId) invalid(`key ID ${hexId(keyId)} does not match the key (expected ${hexId(expected)})`);
  const key: CosignerKey = { keyName, keyId, publicKeyRaw: material, publicKey: ed25519KeyObject(material) };
  return { type, key };
}

/** Parses a cosigner's vkey: type 0x04 only. Throws WITNESS_VKEY_INVALID. */
export function parseCosignerVkey(text: string): CosignerKey {
  const parsed = parseVkey(text);
  if (parsed.type !== SIGNATURE_TYPE.cosignatureV1) {
    invalid(`a witness vkey has signature type 0x04 (cosignature/v1), not 0x0${parsed.type}`);
  }
  return parsed.key;
}

/** Parses the log's vkey: type 0x02 (ECDSA P-256) only. Throws WITNESS_VKEY_INVALID. */
export function parseLogVkey(text: string): NoteVerifierKey {
  const parsed = parseVkey(text);
  if (parsed.type !== SIGNATURE_TYPE.ecdsa)
    invalid(`a log vkey has signature type 0x02 (ECDSA), not 0x0${parsed.type}`);
  return parsed.key;
}
