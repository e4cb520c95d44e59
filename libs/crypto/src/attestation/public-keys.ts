import { createPublicKey, type KeyObject } from 'node:crypto';
import { bytesToBase64 } from '#ingrain/encoding';
import { sha256Hex } from '../encoding/index.js';

/** A verification key with its DSSE keyid. */
export interface AttestationVerificationKey {
  readonly keyObject: KeyObject;
  /** Lowercase hex SHA-256 of the SPKI DER. */
  readonly keyid: string;
}

/** The DSSE keyid Ingrain uses: lowercase hex SHA-256 of the public key's DER SubjectPublicKeyInfo. */
export function attestationKeyId(publicKeySpkiDer: Uint8Array): string {
  return sha256Hex(publicKeySpkiDer);
}

const MAX_CACHED_KEYS = 32;
const cache = new Map<string, AttestationVerificationKey>();

/**
 * The KeyObject and keyid of a public key, from a small cache: importing a key costs more than
 * verifying a signature with it, and verifiers check many envelopes with the same key.
 * @throws the node:crypto error if the bytes are not a public key SPKI.
 */
export function attestationVerificationKey(key: Uint8Array | KeyObject): AttestationVerificationKey {
  if (!(key instanceof Uint8Array)) {
    const spki = new Uint8Array(key.export({ type: 'spki', format: 'der' }));
    return { keyObject: key, keyid: attestationKeyId(spki) };
  }
  const cacheKey = bytesToBase64(key);
  const cached = cache.get(cacheKey);
  if (cached !== undefined) return cached;
  const entry = {
    keyObject: createPublicKey({ key: Buffer.from(key), format: 'der', type: 'spki' }),
    keyid: attestationKeyId(key),
  };
  if (cache.size >= MAX_CACHED_KEYS) cache.delete(cache.keys().next().value!);
  cache.set(cacheKey, entry);
  return entry;
}
