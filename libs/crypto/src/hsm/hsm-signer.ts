import { createHash } from 'node:crypto';
import type { Signer } from '../signer.js';
import { wrapPkcs11Error } from './errors.js';
import type { CachedKeyHandle } from './key-lookup.js';
import type { Pkcs11 } from './pkcs11.js';
import { signDigestEcdsa } from './primitives.js';
import type { SessionPool } from './session-pool.js';

/**
 * A {@link Signer} for a P-256 token key: SHA-256 in node:crypto (SoftHSM and several HSMs lack
 * CKM_ECDSA_SHA256), then CKM_ECDSA in the token on a pooled session, with a cached key handle.
 */
export class HsmSigner implements Signer {
  readonly #module: Pkcs11;
  readonly #pool: SessionPool;
  readonly #key: CachedKeyHandle;

  constructor(
    module: Pkcs11,
    pool: SessionPool,
    key: CachedKeyHandle,
    readonly label: string,
    readonly publicKeySpkiDer: Uint8Array,
  ) {
    this.#module = module;
    this.#pool = pool;
    this.#key = key;
  }

  /** @throws HsmError `HSM_OPERATION_FAILED` (CKR_… as cause) or `HSM_CLOSED`. */
  async sign(message: Uint8Array): Promise<Uint8Array> {
    const digest = createHash('sha256').update(message).digest();
    try {
      return await this.#key.use(this.#pool, (session, handle) =>
        signDigestEcdsa(this.#module, session, handle, digest),
      );
    } catch (error) {
      throw wrapPkcs11Error(error, 'HSM_OPERATION_FAILED', `signing with '${this.label}'`);
    }
  }
}
