import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';
import { decapP256, encapP256, requireBytes, type P256KeyPair } from './dhkem-p256.js';
import { HpkeError } from './errors.js';
import { baseKeySchedule } from './key-schedule.js';
import { aeadParameters, concatBytes, type HpkeSuite } from './suite.js';

/** Input of {@link hpkeSeal}. Every byte input is a Uint8Array; strings are refused, not encoded. */
export interface HpkeSealInput {
  readonly suite: HpkeSuite;
  /** The recipient's 65-byte uncompressed SEC1 P-256 point. */
  readonly recipientPublicKey: Uint8Array;
  /** Application context bound into the key schedule (RFC 9180 §8.1). */
  readonly info: Uint8Array;
  readonly aad: Uint8Array;
  readonly plaintext: Uint8Array;
}

/** Output of {@link hpkeSeal}: `enc` (the 65-byte ephemeral public key) and `ciphertext` (with the 16-byte tag). */
export interface HpkeSealed {
  readonly enc: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** Input of {@link hpkeOpen}. */
export interface HpkeOpenInput {
  readonly suite: HpkeSuite;
  /** The recipient's P-256 private key. */
  readonly recipientPrivateKey: KeyObject;
  readonly enc: Uint8Array;
  readonly info: Uint8Array;
  readonly aad: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/**
 * RFC 9180 §6.1 single-shot Seal in mode_base: SetupBaseS(pkR, info) then one Seal(aad, pt) with
 * sequence number 0. A fresh ephemeral key is drawn for every call, so sealing the same plaintext
 * twice gives unrelated outputs.
 * @throws HpkeError HPKE_UNSUPPORTED_SUITE, HPKE_INVALID_PUBLIC_KEY, HPKE_INVALID_ARGUMENT.
 */
export function hpkeSeal(input: HpkeSealInput): HpkeSealed {
  return sealWithEphemeral(input, undefined);
}

/**
 * Seal with a fixed ephemeral key pair. Internal: the RFC test vectors and the worked example of
 * docs/sealing.md need it; production code calls {@link hpkeSeal}. Not exported from the package.
 */
export function sealWithEphemeral(input: HpkeSealInput, ephemeral: P256KeyPair | undefined): HpkeSealed {
  const aead = aeadParameters(input.suite);
  for (const name of ['info', 'aad', 'plaintext'] as const) requireBytes(input[name], name);
  const { sharedSecret, enc } = encapP256(input.recipientPublicKey, ephemeral);
  const { key, baseNonce } = baseKeySchedule(input.suite, sharedSecret, input.info);
  // Sequence number 0: the nonce is base_nonce itself (RFC 9180 §5.2 ComputeNonce).
  const cipher = createCipheriv(aead.cipher, key, baseNonce, { authTagLength: aead.tagBytes });
  cipher.setAAD(input.aad);
  const body = concatBytes(cipher.update(input.plaintext), cipher.final());
  return { enc, ciphertext: concatBytes(body, cipher.getAuthTag()) };
}

/**
 * RFC 9180 §6.1 single-shot Open in mode_base.
 * @throws HpkeError HPKE_OPEN_FAILED when the ciphertext does not authenticate (wrong key, other
 * info or aad, any altered byte); HPKE_DECAP_FAILED for an invalid `enc`; HPKE_INVALID_PRIVATE_KEY,
 * HPKE_UNSUPPORTED_SUITE, HPKE_INVALID_ARGUMENT for bad inputs.
 */
export function hpkeOpen(input: HpkeOpenInput): Uint8Array {
  const aead = aeadParameters(input.suite);
  for (const name of ['enc', 'info', 'aad', 'ciphertext'] as const) requireBytes(input[name], name);
  if (input.ciphertext.length < aead.tagBytes) {
    throw new HpkeError('HPKE_OPEN_FAILED', `ciphertext has ${input.ciphertext.length} bytes, shorter than the tag`);
  }
  const sharedSecret = decapP256(input.enc, input.recipientPrivateKey);
  const { key, baseNonce } = baseKeySchedule(input.suite, sharedSecret, input.info);
  const tagStart = input.ciphertext.length - aead.tagBytes;
  const decipher = createDecipheriv(aead.cipher, key, baseNonce, { authTagLength: aead.tagBytes });
  decipher.setAAD(input.aad);
  decipher.setAuthTag(input.ciphertext.subarray(tagStart));
  const body = decipher.update(input.ciphertext.subarray(0, tagStart));
  try {
    return concatBytes(body, decipher.final());
  } catch (error) {
    body.fill(0); // unauthenticated plaintext must not leave this function
    throw new HpkeError(
      'HPKE_OPEN_FAILED',
      'ciphertext does not authenticate (wrong key, info, aad or enc, or altered)',
      {
        cause: error,
      },
    );
  }
}
