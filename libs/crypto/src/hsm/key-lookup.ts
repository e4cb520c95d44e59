import { spkiFromP256Point } from './ec.js';
import { HsmError, isReturnValue } from './errors.js';
import { findTokenKeys, type KeyObject } from './objects.js';
import type { Handle, Pkcs11 } from './pkcs11.js';
import { readP256Point } from './primitives.js';
import type { SessionPool } from './session-pool.js';

/** A P-256 token key pair found by label. */
export interface FoundKeyPair {
  readonly privateKey: Handle;
  readonly publicKeySpkiDer: Uint8Array;
}

/**
 * The one P-256 private key labelled `label` and the SPKI of its public key object.
 *
 * @throws HsmError `HSM_KEY_NOT_FOUND` when either half is missing; `HSM_KEY_CONFLICT` when the
 *   label is held by several objects of a kind, or by something other than a P-256 signing key.
 */
export function findP256KeyPair(module: Pkcs11, session: Handle, label: string): FoundKeyPair {
  const keys = findTokenKeys(module, session, label);
  const privateKey = single(keys, 'private-key', label);
  const publicKey = single(keys, 'public-key', label);
  for (const key of [privateKey, publicKey]) {
    if (key.info.keyType !== 'ec' || key.info.curve !== 'P-256') {
      throw new HsmError('HSM_KEY_CONFLICT', `'${label}' is not a P-256 EC key`);
    }
  }
  if (privateKey.info.flags.sign !== true) {
    throw new HsmError('HSM_KEY_CONFLICT', `private key '${label}' does not allow signing (CKA_SIGN false)`);
  }
  return {
    privateKey: privateKey.handle,
    publicKeySpkiDer: spkiFromP256Point(readP256Point(module, session, publicKey.handle)),
  };
}

/**
 * The one generic secret key labelled `label`, allowed to compute HMACs (CKA_SIGN).
 *
 * @throws HsmError `HSM_KEY_NOT_FOUND`; `HSM_KEY_CONFLICT` for duplicates or another kind of key.
 */
export function findHmacKey(module: Pkcs11, session: Handle, label: string): Handle {
  const key = single(findTokenKeys(module, session, label), 'secret-key', label);
  if (key.info.keyType !== 'generic-secret' || key.info.flags.sign !== true) {
    throw new HsmError('HSM_KEY_CONFLICT', `'${label}' is not a generic secret key with CKA_SIGN`);
  }
  return key.handle;
}

/**
 * The one AES key labelled `label`, allowed to encrypt and decrypt (CKA_ENCRYPT, CKA_DECRYPT).
 *
 * @throws HsmError `HSM_KEY_NOT_FOUND`; `HSM_KEY_CONFLICT` for duplicates or another kind of key.
 */
export function findAesKey(module: Pkcs11, session: Handle, label: string): Handle {
  const key = single(findTokenKeys(module, session, label), 'secret-key', label);
  const { keyType, flags } = key.info;
  if (keyType !== 'aes' || flags.encrypt !== true || flags.decrypt !== true) {
    throw new HsmError('HSM_KEY_CONFLICT', `'${label}' is not an AES key with CKA_ENCRYPT and CKA_DECRYPT`);
  }
  return key.handle;
}

function single(keys: readonly KeyObject[], objectClass: KeyObject['info']['objectClass'], label: string): KeyObject {
  const matching = keys.filter((key) => key.info.objectClass === objectClass);
  const kind = objectClass.replace('-', ' ');
  const found = matching[0];
  if (found === undefined) throw new HsmError('HSM_KEY_NOT_FOUND', `no ${kind} labelled '${label}' on the token`);
  if (matching.length > 1) {
    throw new HsmError('HSM_KEY_CONFLICT', `${matching.length} ${kind} objects are labelled '${label}'`);
  }
  return found;
}

/**
 * A key handle looked up once and reused (searching is linear in the token's object count). If
 * the token says the handle went stale, it is looked up again once.
 */
export class CachedKeyHandle {
  readonly #lookup: (session: Handle) => Handle;
  #handle: Handle | undefined;

  /** `known`: a handle already found (saves the first lookup). */
  constructor(lookup: (session: Handle) => Handle, known?: Handle) {
    this.#lookup = lookup;
    this.#handle = known;
  }

  /** Runs `operation` with a session from `pool` and the key's handle. */
  async use<T>(pool: SessionPool, operation: (session: Handle, handle: Handle) => Promise<T>): Promise<T> {
    return pool.use(async (session) => {
      this.#handle ??= this.#lookup(session);
      try {
        return await operation(session, this.#handle);
      } catch (error) {
        if (!isReturnValue(error, 'CKR_KEY_HANDLE_INVALID') && !isReturnValue(error, 'CKR_OBJECT_HANDLE_INVALID')) {
          throw error;
        }
        this.#handle = this.#lookup(session);
        return operation(session, this.#handle);
      }
    });
  }
}
