// The seal, unseal and key-check-value operations on one borrowed session (Hsm wires the pool and
// key lookup). Blob format: sealing.ts and docs/keys.md.
import { HsmError, returnValueName, wrapPkcs11Error } from './errors.js';
import type { Handle, Pkcs11 } from './pkcs11.js';
import { GCM_TAG_LENGTH_BYTES, aesGcmDecrypt, aesGcmEncrypt } from './primitives.js';
import {
  KEY_CHECK_VALUE_IV,
  SEAL_IV_LENGTH_BYTES,
  encodeSealedBlob,
  sealAdditionalData,
  type SealedBlobParts,
} from './sealing.js';

/** Same fixed input as the derivation master's check value (hsm.ts). */
const KEY_CHECK_VALUE_AAD = 'ingrain/key-check-value/v1';
const KEY_CHECK_VALUE_BYTES = 8;
const KEY_CHECK_VALUE_PLAINTEXT_BYTES = 16;

/** A fresh IV from the token's RNG, then AES-GCM; returns the versioned blob. */
export async function sealOnSession(
  module: Pkcs11,
  session: Handle,
  key: Handle,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array> {
  const iv = Uint8Array.from(module.C_GenerateRandom(session, Buffer.alloc(SEAL_IV_LENGTH_BYTES)));
  if (iv.every((byte) => byte === 0)) {
    throw new HsmError('HSM_OPERATION_FAILED', 'the token RNG returned the reserved all-zero IV');
  }
  const ciphertextAndTag = await aesGcmEncrypt(module, session, key, { iv, aad: sealAdditionalData(aad) }, plaintext);
  return encodeSealedBlob({ iv, ciphertextAndTag });
}

/** AES-GCM decryption of a decoded blob; the token verifies the tag. */
export function unsealOnSession(
  module: Pkcs11,
  session: Handle,
  key: Handle,
  parts: SealedBlobParts,
  aad: Uint8Array,
): Promise<Uint8Array> {
  return aesGcmDecrypt(module, session, key, { iv: parts.iv, aad: sealAdditionalData(aad) }, parts.ciphertextAndTag);
}

/** First 8 bytes of the GCM tag over 16 zero bytes, reserved IV, fixed AAD. */
export async function sealKeyCheckValueOnSession(module: Pkcs11, session: Handle, key: Handle): Promise<Uint8Array> {
  const params = { iv: KEY_CHECK_VALUE_IV, aad: Buffer.from(KEY_CHECK_VALUE_AAD, 'ascii') };
  const output = await aesGcmEncrypt(module, session, key, params, new Uint8Array(KEY_CHECK_VALUE_PLAINTEXT_BYTES));
  const tag = output.subarray(output.length - GCM_TAG_LENGTH_BYTES);
  return tag.slice(0, KEY_CHECK_VALUE_BYTES);
}

// What a token answers when a GCM tag does not verify: PKCS#11 v2.40 CKR_ENCRYPTED_DATA_INVALID /
// _LEN_RANGE, v3.0 CKR_AEAD_DECRYPT_FAILED (0x35, unnamed in pkcs11js), SoftHSM 2.6 CKR_GENERAL_ERROR.
const UNSEAL_REFUSALS: ReadonlySet<string> = new Set([
  'CKR_ENCRYPTED_DATA_INVALID',
  'CKR_ENCRYPTED_DATA_LEN_RANGE',
  'CKR_0x35',
  'CKR_GENERAL_ERROR',
]);

/** Maps an unseal failure: a refused tag is `HSM_UNSEAL_FAILED`, anything else `HSM_OPERATION_FAILED`. */
export function unsealError(error: unknown, label: string): HsmError {
  if (error instanceof HsmError) return error;
  const rv = returnValueName(error);
  if (rv !== undefined && UNSEAL_REFUSALS.has(rv)) {
    return new HsmError(
      'HSM_UNSEAL_FAILED',
      `the token refused to unseal with '${label}': the blob was altered, or sealed under another key or AAD (${rv})`,
      { cause: error },
    );
  }
  return wrapPkcs11Error(error, 'HSM_OPERATION_FAILED', `unsealing with '${label}'`);
}
