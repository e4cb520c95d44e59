import { HpkeError } from './errors.js';

// RFC 9180 §7.1, §7.2, §7.3: algorithm identifiers of the one KEM and KDF and two AEADs supported.
/** DHKEM(P-256, HKDF-SHA256). */
export const HPKE_KEM_DHKEM_P256_HKDF_SHA256 = 0x0010;
/** HKDF-SHA256. */
export const HPKE_KDF_HKDF_SHA256 = 0x0001;
/** AES-128-GCM. */
export const HPKE_AEAD_AES_128_GCM = 0x0001;
/** AES-256-GCM. */
export const HPKE_AEAD_AES_256_GCM = 0x0002;

/** An HPKE cipher suite this library implements: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-GCM. */
export interface HpkeSuite {
  readonly kemId: typeof HPKE_KEM_DHKEM_P256_HKDF_SHA256;
  readonly kdfId: typeof HPKE_KDF_HKDF_SHA256;
  readonly aeadId: typeof HPKE_AEAD_AES_128_GCM | typeof HPKE_AEAD_AES_256_GCM;
}

export const HPKE_P256_SHA256_AES128GCM: HpkeSuite = Object.freeze({
  kemId: HPKE_KEM_DHKEM_P256_HKDF_SHA256,
  kdfId: HPKE_KDF_HKDF_SHA256,
  aeadId: HPKE_AEAD_AES_128_GCM,
});

export const HPKE_P256_SHA256_AES256GCM: HpkeSuite = Object.freeze({
  kemId: HPKE_KEM_DHKEM_P256_HKDF_SHA256,
  kdfId: HPKE_KDF_HKDF_SHA256,
  aeadId: HPKE_AEAD_AES_256_GCM,
});

/** RFC 9180 §7.3: Nk, Nn, Nt of an AEAD, and its node:crypto cipher name. */
export interface AeadParameters {
  readonly cipher: 'aes-128-gcm' | 'aes-256-gcm';
  readonly keyBytes: number;
  readonly nonceBytes: number;
  readonly tagBytes: number;
}

const AEADS: ReadonlyMap<number, AeadParameters> = new Map([
  [HPKE_AEAD_AES_128_GCM, { cipher: 'aes-128-gcm', keyBytes: 16, nonceBytes: 12, tagBytes: 16 }],
  [HPKE_AEAD_AES_256_GCM, { cipher: 'aes-256-gcm', keyBytes: 32, nonceBytes: 12, tagBytes: 16 }],
]);

/**
 * Checks that `suite` is one this library implements and returns its AEAD parameters.
 * @throws HpkeError HPKE_UNSUPPORTED_SUITE naming the ids otherwise.
 */
export function aeadParameters(suite: HpkeSuite): AeadParameters {
  const aead = AEADS.get(suite.aeadId);
  if (suite.kemId !== HPKE_KEM_DHKEM_P256_HKDF_SHA256 || suite.kdfId !== HPKE_KDF_HKDF_SHA256 || aead === undefined) {
    throw new HpkeError(
      'HPKE_UNSUPPORTED_SUITE',
      `unsupported HPKE suite kem=${hexId(suite.kemId)} kdf=${hexId(suite.kdfId)} aead=${hexId(suite.aeadId)} ` +
        '(supported: kem 0x0010, kdf 0x0001, aead 0x0001 or 0x0002)',
    );
  }
  return aead;
}

/** RFC 9180 §5.1: suite_id = "HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2). */
export function hpkeSuiteId(suite: HpkeSuite): Uint8Array {
  return concatBytes(ascii('HPKE'), i2osp(suite.kemId, 2), i2osp(suite.kdfId, 2), i2osp(suite.aeadId, 2));
}

/** RFC 9180 §4.1: suite_id = "KEM" || I2OSP(kem_id, 2). */
export function kemSuiteId(kemId: number): Uint8Array {
  return concatBytes(ascii('KEM'), i2osp(kemId, 2));
}

/** RFC 9180 §3 (I2OSP): `value` as `length` big-endian bytes. */
export function i2osp(value: number, length: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value >= 256 ** length) {
    throw new HpkeError('HPKE_INVALID_ARGUMENT', `${value} does not fit in ${length} bytes`);
  }
  const out = new Uint8Array(length);
  for (let i = length - 1, rest = value; i >= 0; i -= 1, rest = Math.floor(rest / 256)) out[i] = rest % 256;
  return out;
}

export function ascii(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

function hexId(id: unknown): string {
  return typeof id === 'number' && Number.isInteger(id) ? `0x${id.toString(16).padStart(4, '0')}` : 'invalid';
}
