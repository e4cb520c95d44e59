// Thin PKCS#11 calls shared by the operations: key generation, ECDSA, HMAC, AES-GCM. No policy
// here: the callers pass every flag. The potentially slow calls use the pkcs11js *Async variants,
// which run on a libuv worker thread instead of blocking the event loop.
import { flagTemplate, type KeyFlags } from './attributes.js';
import { P256_EC_PARAMS_DER, P256_SCALAR_LENGTH_BYTES, pointFromEcPointAttribute } from './ec.js';
import { HsmError } from './errors.js';
import { readAttribute } from './objects.js';
import { pkcs11, type GcmParams, type Handle, type Pkcs11, type Template } from './pkcs11.js';

const SHA256_LENGTH_BYTES = 32;

/** Naming of a generated key: token objects get a label and a CKA_ID, session objects may not. */
export interface KeyNaming {
  readonly label?: string;
  readonly id?: Uint8Array;
}

function namingTemplate(naming: KeyNaming): Template {
  const template: Template = [];
  if (naming.label !== undefined) template.push({ type: pkcs11.CKA_LABEL, value: naming.label });
  if (naming.id !== undefined) template.push({ type: pkcs11.CKA_ID, value: Buffer.from(naming.id) });
  return template;
}

/** C_GenerateKeyPair with CKM_EC_KEY_PAIR_GEN on P-256; `token` flags decide session vs token objects. */
export async function generateP256KeyPair(
  module: Pkcs11,
  session: Handle,
  naming: KeyNaming,
  flags: { readonly privateKey: KeyFlags; readonly publicKey: KeyFlags },
): Promise<{ privateKey: Handle; publicKey: Handle }> {
  const publicTemplate: Template = [
    { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_PUBLIC_KEY },
    { type: pkcs11.CKA_KEY_TYPE, value: pkcs11.CKK_EC },
    { type: pkcs11.CKA_EC_PARAMS, value: Buffer.from(P256_EC_PARAMS_DER) },
    ...namingTemplate(naming),
    ...flagTemplate(flags.publicKey),
  ];
  const privateTemplate: Template = [
    { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_PRIVATE_KEY },
    { type: pkcs11.CKA_KEY_TYPE, value: pkcs11.CKK_EC },
    ...namingTemplate(naming),
    ...flagTemplate(flags.privateKey),
  ];
  const mechanism = { mechanism: pkcs11.CKM_EC_KEY_PAIR_GEN };
  return module.C_GenerateKeyPairAsync(session, mechanism, publicTemplate, privateTemplate);
}

/** C_GenerateKey of a secret key of `keyType` with `mechanism`, `lengthBytes` long. */
function generateSecretKey(
  module: Pkcs11,
  session: Handle,
  key: { readonly keyType: number; readonly mechanism: number },
  naming: KeyNaming,
  lengthBytes: number,
  flags: KeyFlags,
): Promise<Handle> {
  const template: Template = [
    { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_SECRET_KEY },
    { type: pkcs11.CKA_KEY_TYPE, value: key.keyType },
    { type: pkcs11.CKA_VALUE_LEN, value: lengthBytes },
    ...namingTemplate(naming),
    ...flagTemplate(flags),
  ];
  return module.C_GenerateKeyAsync(session, { mechanism: key.mechanism }, template);
}

/** C_GenerateKey with CKM_GENERIC_SECRET_KEY_GEN: a generic secret of `lengthBytes`. */
export function generateGenericSecret(
  module: Pkcs11,
  session: Handle,
  naming: KeyNaming,
  lengthBytes: number,
  flags: KeyFlags,
): Promise<Handle> {
  const key = { keyType: pkcs11.CKK_GENERIC_SECRET, mechanism: pkcs11.CKM_GENERIC_SECRET_KEY_GEN };
  return generateSecretKey(module, session, key, naming, lengthBytes, flags);
}

/** C_GenerateKey with CKM_AES_KEY_GEN: an AES key of `lengthBytes` (16, 24 or 32). */
export function generateAesKey(
  module: Pkcs11,
  session: Handle,
  naming: KeyNaming,
  lengthBytes: number,
  flags: KeyFlags,
): Promise<Handle> {
  const key = { keyType: pkcs11.CKK_AES, mechanism: pkcs11.CKM_AES_KEY_GEN };
  return generateSecretKey(module, session, key, naming, lengthBytes, flags);
}

/** GCM tag length Ingrain uses: 128 bits, the maximum (NIST SP 800-38D §5.2.1.2). */
export const GCM_TAG_LENGTH_BYTES = 16;

/**
 * CKM_AES_GCM parameters as CK_GCM_PARAMS (PKCS#11 v2.40 §2.10.7: pIv, ulIvLen, ulIvBits, pAAD,
 * ulAADLen, ulTagBits). pkcs11js's older CK_PARAMS_AES_GCM leaves ulIvBits unset, so not that one.
 */
function gcmMechanism(iv: Uint8Array, aad: Uint8Array): { mechanism: number; parameter: GcmParams } {
  return {
    mechanism: pkcs11.CKM_AES_GCM,
    parameter: {
      type: pkcs11.CK_PARAMS_GCM,
      iv: Buffer.from(iv),
      ivBits: iv.length * 8,
      aad: Buffer.from(aad),
      tagBits: GCM_TAG_LENGTH_BYTES * 8,
    },
  };
}

/** CKM_AES_GCM encryption: returns ciphertext ‖ 16-byte tag (the PKCS#11 output of C_Encrypt). */
export async function aesGcmEncrypt(
  module: Pkcs11,
  session: Handle,
  key: Handle,
  params: { readonly iv: Uint8Array; readonly aad: Uint8Array },
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  module.C_EncryptInit(session, gcmMechanism(params.iv, params.aad), key);
  const input = Buffer.from(plaintext);
  try {
    const output = await module.C_EncryptAsync(session, input, Buffer.alloc(plaintext.length + GCM_TAG_LENGTH_BYTES));
    if (output.length !== plaintext.length + GCM_TAG_LENGTH_BYTES) {
      throw new HsmError(
        'HSM_OPERATION_FAILED',
        `CKM_AES_GCM returned ${output.length} bytes, expected ${plaintext.length + GCM_TAG_LENGTH_BYTES}`,
      );
    }
    return Uint8Array.from(output);
  } finally {
    input.fill(0); // the copy handed to the module held the plaintext
  }
}

/**
 * CKM_AES_GCM decryption of ciphertext ‖ tag. The token checks the tag: a blob that was altered,
 * or sealed under another key or AAD, fails with the token's return value (SoftHSM 2.6:
 * CKR_GENERAL_ERROR; the standard names CKR_ENCRYPTED_DATA_INVALID, v3.0 CKR_AEAD_DECRYPT_FAILED).
 */
export async function aesGcmDecrypt(
  module: Pkcs11,
  session: Handle,
  key: Handle,
  params: { readonly iv: Uint8Array; readonly aad: Uint8Array },
  ciphertextAndTag: Uint8Array,
): Promise<Uint8Array> {
  module.C_DecryptInit(session, gcmMechanism(params.iv, params.aad), key);
  const out = Buffer.alloc(ciphertextAndTag.length);
  try {
    return Uint8Array.from(await module.C_DecryptAsync(session, Buffer.from(ciphertextAndTag), out));
  } finally {
    out.fill(0); // the plaintext is secret: leave no copy in the pkcs11js buffer
  }
}

/** The uncompressed point of an EC public key object (CKA_EC_POINT). */
export function readP256Point(module: Pkcs11, session: Handle, publicKey: Handle): Uint8Array {
  const value = readAttribute(module, session, publicKey, pkcs11.CKA_EC_POINT);
  if (value === undefined) throw new HsmError('HSM_OPERATION_FAILED', 'the public key has no CKA_EC_POINT');
  return pointFromEcPointAttribute(value);
}

/** CKM_ECDSA over a 32-byte digest: returns r ‖ s (PKCS#11 v2.40 §2.3.1: 2 × 32 bytes for P-256). */
export async function signDigestEcdsa(
  module: Pkcs11,
  session: Handle,
  privateKey: Handle,
  digest: Uint8Array,
): Promise<Uint8Array> {
  module.C_SignInit(session, { mechanism: pkcs11.CKM_ECDSA }, privateKey);
  const signature = await module.C_SignAsync(session, Buffer.from(digest), Buffer.alloc(2 * P256_SCALAR_LENGTH_BYTES));
  if (signature.length !== 2 * P256_SCALAR_LENGTH_BYTES) {
    throw new HsmError('HSM_OPERATION_FAILED', `CKM_ECDSA returned ${signature.length} bytes, expected 64`);
  }
  return Uint8Array.from(signature);
}

/** CKM_SHA256_HMAC with a generic secret key: the full 32-byte MAC of `data`. */
export async function hmacSha256(module: Pkcs11, session: Handle, key: Handle, data: Uint8Array): Promise<Uint8Array> {
  module.C_SignInit(session, { mechanism: pkcs11.CKM_SHA256_HMAC }, key);
  const mac = await module.C_SignAsync(session, Buffer.from(data), Buffer.alloc(SHA256_LENGTH_BYTES));
  if (mac.length !== SHA256_LENGTH_BYTES) {
    throw new HsmError('HSM_OPERATION_FAILED', `CKM_SHA256_HMAC returned ${mac.length} bytes, expected 32`);
  }
  const result = Uint8Array.from(mac);
  mac.fill(0); // derivation output is secret: leave no copy in the pkcs11js buffer
  return result;
}

/** Destroys objects, ignoring failures (used in `finally` after the useful work is done). */
export function destroyQuietly(module: Pkcs11, session: Handle, handles: readonly Handle[]): void {
  for (const handle of handles) {
    try {
      module.C_DestroyObject(session, handle);
    } catch {
      // The session's end destroys session objects anyway.
    }
  }
}
