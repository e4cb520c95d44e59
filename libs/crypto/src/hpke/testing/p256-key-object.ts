import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { P256KeyPair } from '../dhkem-p256.js';

// Test support of this folder's specs: a P-256 KeyObject from raw RFC 9180 key bytes.

/** The private KeyObject of a raw P-256 key pair (32-byte scalar, 65-byte uncompressed point). */
export function p256PrivateKeyObject(pair: P256KeyPair): KeyObject {
  const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
  return createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: b64(pair.privateKey),
      x: b64(pair.publicKey.subarray(1, 33)),
      y: b64(pair.publicKey.subarray(33, 65)),
    },
    format: 'jwk',
  });
}
