// Sealed blobs: AES-256-GCM under a non-extractable HSM key. The byte layout is specified in
// docs/keys.md ("Sealing device secrets"); keep the two in step. Pure: no PKCS#11 here.
import { HsmError } from './errors.js';
import { GCM_TAG_LENGTH_BYTES } from './primitives.js';

/** First byte of every sealed blob: the format version. */
export const SEALED_BLOB_VERSION = 1;
/** IV length: 96 bits, the length GCM is defined for without GHASH-ing the IV (SP 800-38D §8.2). */
export const SEAL_IV_LENGTH_BYTES = 12;
/** Prefix of the GCM additional data; binds the format version into the tag. */
export const SEAL_AAD_DOMAIN = 'ingrain/seal/v1';
/** Largest plaintext {@link Hsm.seal} accepts, in bytes. */
export const MAX_SEAL_PLAINTEXT_BYTES = 65_536;
/** Largest caller AAD, in bytes. */
export const MAX_SEAL_AAD_BYTES = 4096;

const HEADER_BYTES = 1 + SEAL_IV_LENGTH_BYTES;

/** A sealed blob split into its parts. */
export interface SealedBlobParts {
  readonly iv: Uint8Array;
  /** Ciphertext ‖ 16-byte tag, as C_Encrypt returns it for CKM_AES_GCM. */
  readonly ciphertextAndTag: Uint8Array;
}

/**
 * Checks what a caller asks to seal.
 *
 * @throws HsmError `HSM_INVALID_ARGUMENT` for an empty or too long plaintext or a too long AAD.
 */
export function checkSealInput(plaintext: Uint8Array, aad: Uint8Array): void {
  if (plaintext.length < 1 || plaintext.length > MAX_SEAL_PLAINTEXT_BYTES) {
    throw new HsmError('HSM_INVALID_ARGUMENT', `sealed plaintext must be 1..${MAX_SEAL_PLAINTEXT_BYTES} bytes`);
  }
  checkAad(aad);
}

function checkAad(aad: Uint8Array): void {
  if (aad.length > MAX_SEAL_AAD_BYTES) {
    throw new HsmError('HSM_INVALID_ARGUMENT', `seal AAD must be at most ${MAX_SEAL_AAD_BYTES} bytes`);
  }
}

/** The GCM additional data: ASCII "ingrain/seal/v1" ‖ 0x00 ‖ the caller's AAD. */
export function sealAdditionalData(aad: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from(SEAL_AAD_DOMAIN, 'ascii'), Uint8Array.of(0), aad]);
}

/**
 * The IV reserved for the seal key's key check value: never valid in a sealed blob, so the check
 * value's GCM invocation can never share an IV with a real seal.
 */
export const KEY_CHECK_VALUE_IV: Uint8Array = new Uint8Array(SEAL_IV_LENGTH_BYTES);

/** version (1 byte) ‖ IV (12 bytes) ‖ ciphertext ‖ tag (16 bytes). */
export function encodeSealedBlob(parts: SealedBlobParts): Uint8Array {
  const blob = new Uint8Array(HEADER_BYTES + parts.ciphertextAndTag.length);
  blob[0] = SEALED_BLOB_VERSION;
  blob.set(parts.iv, 1);
  blob.set(parts.ciphertextAndTag, HEADER_BYTES);
  return blob;
}

/**
 * Splits a sealed blob after checking its version and length and that its IV is not the reserved
 * all-zero one. Authenticity is the token's to check (the GCM tag).
 *
 * @throws HsmError `HSM_UNSEAL_FAILED` for another version, a truncated blob or the reserved IV;
 *   `HSM_INVALID_ARGUMENT` for a too long AAD.
 */
export function decodeSealedBlob(blob: Uint8Array, aad: Uint8Array): SealedBlobParts {
  checkAad(aad);
  if (blob.length < HEADER_BYTES + 1 + GCM_TAG_LENGTH_BYTES) {
    throw new HsmError('HSM_UNSEAL_FAILED', `sealed blob is truncated (${blob.length} bytes)`);
  }
  if (blob[0] !== SEALED_BLOB_VERSION) {
    throw new HsmError(
      'HSM_UNSEAL_FAILED',
      `sealed blob has format version ${String(blob[0])}, expected ${SEALED_BLOB_VERSION}`,
    );
  }
  const iv = Uint8Array.prototype.slice.call(blob, 1, HEADER_BYTES);
  if (iv.every((byte) => byte === 0)) {
    throw new HsmError('HSM_UNSEAL_FAILED', 'sealed blob uses the reserved all-zero IV');
  }
  return { iv, ciphertextAndTag: Uint8Array.prototype.slice.call(blob, HEADER_BYTES) };
}
