import type { Signer } from '../signer.js';
import type { KeyFlags } from './attributes.js';
import { assertCapabilities, probeCapabilities, type ProbeOptions, type ProbeReport } from './capabilities.js';
import type { HsmConfig } from './config.js';
import { deriveWithPrf, type DerivationContext } from './derivation.js';
import { generateDeviceKeyPair, type DeviceKeyPair, type DeviceKeyPairOptions } from './device-keys.js';
import { HsmError, wrapPkcs11Error, type HsmErrorCode } from './errors.js';
import { HsmSigner } from './hsm-signer.js';
import { CachedKeyHandle, findAesKey, findHmacKey, findP256KeyPair } from './key-lookup.js';
import { acquireModule, type ModuleLease } from './module-registry.js';
import { findTokenKeys, type KeyObjectInfo } from './objects.js';
import type { Handle, Pkcs11 } from './pkcs11.js';
import { generateAesKey, generateGenericSecret, generateP256KeyPair, hmacSha256 } from './primitives.js';
import { sealKeyCheckValueOnSession, sealOnSession, unsealError, unsealOnSession } from './seal-operations.js';
import { checkSealInput, decodeSealedBlob } from './sealing.js';
import { SessionPool } from './session-pool.js';
import { findToken, type FoundToken, type TokenDescription } from './token.js';

/** Options of {@link Hsm.open}. */
export interface HsmOpenOptions {
  /** Run the capability probe and refuse a token that fails it (default: true). */
  readonly probe?: boolean | ProbeOptions;
}

/** Fixed input of {@link Hsm.keyCheckValue}; distinct from every derivation input (those start with a counter). */
const KEY_CHECK_VALUE_INPUT = 'ingrain/key-check-value/v1';
const KEY_CHECK_VALUE_BYTES = 8;
const MAX_RANDOM_BYTES = 65_536;
const KEY_ID_BYTES = 16;

/**
 * Ingrain's port to an HSM over PKCS#11: one token, a pool of logged-in R/W sessions, the process's
 * single instance of the module. Every operation is async and runs the slow PKCS#11 calls off the
 * event loop. Errors are {@link HsmError}s; none carries the PIN or key material.
 */
export class Hsm {
  readonly #lease: ModuleLease;
  readonly #pool: SessionPool;
  readonly #slot: Handle;
  readonly #signers = new Map<string, Promise<Signer>>();
  readonly #secretKeys = new Map<string, CachedKeyHandle>();
  readonly #sealKeys = new Map<string, CachedKeyHandle>();
  #closed = false;

  /** The token in use. */
  readonly token: TokenDescription;

  private constructor(lease: ModuleLease, found: FoundToken, pool: SessionPool) {
    this.#lease = lease;
    this.#slot = found.slot;
    this.token = found.description;
    this.#pool = pool;
  }

  /**
   * Loads the module (once per process), finds the token, opens and logs in the session pool, and
   * by default runs the capability probe.
   *
   * @throws HsmError `HSM_MODULE_LOAD_FAILED`, `HSM_TOKEN_NOT_FOUND`, `HSM_LOGIN_FAILED`,
   *   `HSM_CAPABILITY_MISSING`; nothing stays open when it throws.
   */
  static async open(config: HsmConfig, options: HsmOpenOptions = {}): Promise<Hsm> {
    const lease = acquireModule(config.modulePath);
    let pool: SessionPool | undefined;
    try {
      const found = findToken(lease.pkcs11, config.token);
      const target = { slot: found.slot, tokenLabel: found.description.label, pin: config.pin };
      pool = new SessionPool({ ...target, module: lease.pkcs11, size: config.sessionPoolSize });
      pool.start();
      const hsm = new Hsm(lease, found, pool);
      if (options.probe !== false) {
        assertCapabilities(await hsm.probe(typeof options.probe === 'object' ? options.probe : {}));
      }
      return hsm;
    } catch (error) {
      await pool?.close();
      lease.release();
      throw error;
    }
  }

  /** Runs the capability probe (see {@link probeCapabilities}); reports, does not throw for gaps. */
  async probe(options: ProbeOptions = {}): Promise<ProbeReport> {
    this.#assertOpen();
    try {
      return await probeCapabilities(this.#lease.pkcs11, this.#slot, this.#pool, options);
    } catch (error) {
      throw wrapPkcs11Error(error, 'HSM_OPERATION_FAILED', 'capability probe');
    }
  }

  /**
   * Makes a device identity: a P-256 key pair as session objects (nothing written to the token),
   * destroyed before this returns. The private scalar is returned only with `exportPrivateKey`.
   *
   * @throws HsmError `HSM_OPERATION_FAILED` (CKR_… as cause), `HSM_CLOSED`.
   */
  async generateDeviceKeyPair(options: DeviceKeyPairOptions = {}): Promise<DeviceKeyPair> {
    return this.#use('HSM_OPERATION_FAILED', 'device key generation', (session) =>
      generateDeviceKeyPair(this.#lease.pkcs11, session, options),
    );
  }

  /**
   * A {@link Signer} for the P-256 token key labelled `label`, looked up once and cached.
   *
   * @throws HsmError `HSM_KEY_NOT_FOUND`, `HSM_KEY_CONFLICT` (duplicate label, not a P-256 signing
   *   key), `HSM_OPERATION_FAILED`, `HSM_CLOSED`.
   */
  async findSigner(label: string): Promise<Signer> {
    this.#assertOpen();
    let signer = this.#signers.get(label);
    if (signer === undefined) {
      signer = this.#makeSigner(label);
      this.#signers.set(label, signer);
      signer.catch(() => this.#signers.delete(label));
    }
    return signer;
  }

  async #makeSigner(label: string): Promise<Signer> {
    const module = this.#lease.pkcs11;
    const found = await this.#use('HSM_OPERATION_FAILED', `looking up '${label}'`, (session) =>
      findP256KeyPair(module, session, label),
    );
    const key = new CachedKeyHandle((session) => findP256KeyPair(module, session, label).privateKey, found.privateKey);
    return new HsmSigner(module, this.#pool, key, label, found.publicKeySpkiDer);
  }

  /**
   * `lengthBytes` bytes from the token's RNG (C_GenerateRandom).
   *
   * @throws HsmError `HSM_INVALID_ARGUMENT` outside 1..65536, `HSM_OPERATION_FAILED`, `HSM_CLOSED`.
   */
  async randomBytes(lengthBytes: number): Promise<Uint8Array> {
    if (!Number.isInteger(lengthBytes) || lengthBytes < 1 || lengthBytes > MAX_RANDOM_BYTES) {
      throw new HsmError('HSM_INVALID_ARGUMENT', `random length must be 1..${MAX_RANDOM_BYTES} bytes`);
    }
    return this.#use('HSM_OPERATION_FAILED', 'C_GenerateRandom', (session) =>
      Uint8Array.from(this.#lease.pkcs11.C_GenerateRandom(session, Buffer.alloc(lengthBytes))),
    );
  }

  /**
   * Derives a device secret from the non-extractable generic secret `masterLabel`: NIST SP 800-108
   * counter mode with HMAC-SHA256 computed in the token (docs/keys.md gives the exact bytes). The
   * same inputs always give the same bytes; nothing is stored.
   *
   * @throws HsmError `HSM_INVALID_ARGUMENT` (context field empty, > 255 bytes or malformed; length
   *   outside 1..1024), `HSM_KEY_NOT_FOUND`, `HSM_KEY_CONFLICT`, `HSM_OPERATION_FAILED`, `HSM_CLOSED`.
   */
  async deriveDeviceSecret(masterLabel: string, context: DerivationContext, lengthBytes: number): Promise<Uint8Array> {
    this.#assertOpen();
    const key = this.#secretKey(masterLabel);
    const prf = (input: Uint8Array) =>
      key.use(this.#pool, (session, handle) => hmacSha256(this.#lease.pkcs11, session, handle, input));
    try {
      return await deriveWithPrf(prf, context, lengthBytes);
    } catch (error) {
      throw wrapPkcs11Error(error, 'HSM_OPERATION_FAILED', `derivation with '${masterLabel}'`);
    }
  }

  /**
   * A fingerprint of a secret key that reveals nothing usable about it: the first 8 bytes of
   * HMAC-SHA256(key, "ingrain/key-check-value/v1"), hex. Same key, same value.
   *
   * @throws HsmError like {@link Hsm.deriveDeviceSecret}.
   */
  async keyCheckValue(secretLabel: string): Promise<string> {
    this.#assertOpen();
    const input = Buffer.from(KEY_CHECK_VALUE_INPUT, 'ascii');
    try {
      const mac = await this.#secretKey(secretLabel).use(this.#pool, (session, handle) =>
        hmacSha256(this.#lease.pkcs11, session, handle, input),
      );
      return Buffer.from(mac.subarray(0, KEY_CHECK_VALUE_BYTES)).toString('hex');
    } catch (error) {
      throw wrapPkcs11Error(error, 'HSM_OPERATION_FAILED', `key check value of '${secretLabel}'`);
    }
  }

  /**
   * Seals `plaintext` under the AES key `label` (AES-256-GCM in the token): a fresh 96-bit IV from
   * the token's RNG, a 128-bit tag over the ciphertext and over `aad` (which is not stored: the
   * caller must present it again to unseal). Returns the versioned blob of docs/keys.md. Sealing the
   * same plaintext twice gives different blobs.
   *
   * @throws HsmError `HSM_INVALID_ARGUMENT` (plaintext empty or > 64 KiB, AAD > 4 KiB),
   *   `HSM_KEY_NOT_FOUND`, `HSM_KEY_CONFLICT` (not an AES key that may encrypt and decrypt),
   *   `HSM_OPERATION_FAILED`, `HSM_CLOSED`. Messages never contain the plaintext.
   */
  async seal(label: string, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    checkSealInput(plaintext, aad);
    this.#assertOpen();
    const module = this.#lease.pkcs11;
    try {
      return await this.#sealKey(label).use(this.#pool, (session, key) =>
        sealOnSession(module, session, key, plaintext, aad),
      );
    } catch (error) {
      throw wrapPkcs11Error(error, 'HSM_OPERATION_FAILED', `sealing with '${label}'`);
    }
  }

  /**
   * Opens a blob made by {@link Hsm.seal} with the same key and AAD. The token checks the tag, so
   * the plaintext is returned only for an unaltered blob sealed under this key with this AAD.
   *
   * @throws HsmError `HSM_UNSEAL_FAILED` (altered or truncated blob, another AAD or key, unknown
   *   format version), `HSM_INVALID_ARGUMENT` (AAD > 4 KiB), `HSM_KEY_NOT_FOUND`,
   *   `HSM_KEY_CONFLICT`, `HSM_OPERATION_FAILED`, `HSM_CLOSED`.
   */
  async unseal(label: string, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    const parts = decodeSealedBlob(sealed, aad);
    this.#assertOpen();
    try {
      return await this.#sealKey(label).use(this.#pool, (session, key) =>
        unsealOnSession(this.#lease.pkcs11, session, key, parts, aad),
      );
    } catch (error) {
      throw unsealError(error, label);
    }
  }

  /**
   * A fingerprint of an AES seal key that reveals nothing usable about it: the first 8 bytes of the
   * GCM tag over 16 zero bytes with the reserved all-zero IV and AAD "ingrain/key-check-value/v1",
   * hex. Same key, same value. (The classic AES check value E_K(0¹²⁸) is GCM's hash key H: never
   * published.)
   *
   * @throws HsmError like {@link Hsm.seal}.
   */
  async sealKeyCheckValue(label: string): Promise<string> {
    this.#assertOpen();
    try {
      const checkValue = await this.#sealKey(label).use(this.#pool, (session, key) =>
        sealKeyCheckValueOnSession(this.#lease.pkcs11, session, key),
      );
      return Buffer.from(checkValue).toString('hex');
    } catch (error) {
      throw wrapPkcs11Error(error, 'HSM_OPERATION_FAILED', `key check value of '${label}'`);
    }
  }

  #sealKey(label: string): CachedKeyHandle {
    let key = this.#sealKeys.get(label);
    if (key === undefined) {
      key = new CachedKeyHandle((session) => findAesKey(this.#lease.pkcs11, session, label));
      this.#sealKeys.set(label, key);
    }
    return key;
  }

  #secretKey(label: string): CachedKeyHandle {
    let key = this.#secretKeys.get(label);
    if (key === undefined) {
      key = new CachedKeyHandle((session) => findHmacKey(this.#lease.pkcs11, session, label));
      this.#secretKeys.set(label, key);
    }
    return key;
  }

  /** Public facts (class, type, label, id, flags) of the token's key objects, optionally one label's. */
  async listKeys(label?: string): Promise<KeyObjectInfo[]> {
    return this.#use('HSM_OPERATION_FAILED', 'listing keys', (session) =>
      findTokenKeys(this.#lease.pkcs11, session, label).map((key) => key.info),
    );
  }

  /**
   * Generates a P-256 key pair as token objects labelled `label` with a random CKA_ID and exactly
   * the given flags (CKA_TOKEN forced true). Policy (which flags) is the caller's.
   *
   * @throws HsmError `HSM_OPERATION_FAILED`, `HSM_CLOSED`.
   */
  async generateTokenKeyPair(label: string, flags: { privateKey: KeyFlags; publicKey: KeyFlags }): Promise<void> {
    const id = await this.randomBytes(KEY_ID_BYTES);
    const tokenFlags = {
      privateKey: { ...flags.privateKey, token: true },
      publicKey: { ...flags.publicKey, token: true },
    };
    await this.#use('HSM_OPERATION_FAILED', `generating key pair '${label}'`, (session) =>
      generateP256KeyPair(this.#lease.pkcs11, session, { label, id }, tokenFlags),
    );
  }

  /**
   * Generates a generic secret token key of `lengthBytes` labelled `label` (random CKA_ID) with
   * exactly the given flags (CKA_TOKEN forced true).
   *
   * @throws HsmError `HSM_OPERATION_FAILED`, `HSM_CLOSED`.
   */
  async generateTokenSecretKey(label: string, lengthBytes: number, flags: KeyFlags): Promise<void> {
    const id = await this.randomBytes(KEY_ID_BYTES);
    await this.#use('HSM_OPERATION_FAILED', `generating secret key '${label}'`, (session) =>
      generateGenericSecret(this.#lease.pkcs11, session, { label, id }, lengthBytes, { ...flags, token: true }),
    );
  }

  /**
   * Generates an AES token key of `lengthBytes` labelled `label` (random CKA_ID) with exactly the
   * given flags (CKA_TOKEN forced true).
   *
   * @throws HsmError `HSM_OPERATION_FAILED`, `HSM_CLOSED`.
   */
  async generateTokenAesKey(label: string, lengthBytes: number, flags: KeyFlags): Promise<void> {
    const id = await this.randomBytes(KEY_ID_BYTES);
    await this.#use('HSM_OPERATION_FAILED', `generating AES key '${label}'`, (session) =>
      generateAesKey(this.#lease.pkcs11, session, { label, id }, lengthBytes, { ...flags, token: true }),
    );
  }

  /**
   * Escape hatch for set-up ceremonies and tests: runs `operation` with a pooled, logged-in session
   * and the module. The session must not be kept after `operation` settles.
   */
  async withSession<T>(operation: (session: Handle, module: Pkcs11) => Promise<T> | T): Promise<T> {
    this.#assertOpen();
    return this.#pool.use((session) => operation(session, this.#lease.pkcs11));
  }

  /** Waits for running operations, closes the sessions, releases the module (the last user finalizes it). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#signers.clear();
    this.#secretKeys.clear();
    this.#sealKeys.clear();
    try {
      await this.#pool.close();
    } finally {
      this.#lease.release();
    }
  }

  async #use<T>(code: HsmErrorCode, what: string, operation: (session: Handle) => Promise<T> | T): Promise<T> {
    this.#assertOpen();
    try {
      return await this.#pool.use(operation);
    } catch (error) {
      throw wrapPkcs11Error(error, code, what);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new HsmError('HSM_CLOSED', 'the HSM connection is closed');
  }
}
