import { endianness } from 'node:os';
import { pkcs11, type Template } from './pkcs11.js';

/**
 * Boolean key attributes Ingrain sets or checks, by readable name. `alwaysSensitive`,
 * `neverExtractable` and `local` are set by the token itself and can only be checked.
 */
export const KEY_FLAG_ATTRIBUTES = {
  token: pkcs11.CKA_TOKEN,
  private: pkcs11.CKA_PRIVATE,
  modifiable: pkcs11.CKA_MODIFIABLE,
  sensitive: pkcs11.CKA_SENSITIVE,
  extractable: pkcs11.CKA_EXTRACTABLE,
  alwaysSensitive: pkcs11.CKA_ALWAYS_SENSITIVE,
  neverExtractable: pkcs11.CKA_NEVER_EXTRACTABLE,
  local: pkcs11.CKA_LOCAL,
  sign: pkcs11.CKA_SIGN,
  verify: pkcs11.CKA_VERIFY,
  encrypt: pkcs11.CKA_ENCRYPT,
  decrypt: pkcs11.CKA_DECRYPT,
  wrap: pkcs11.CKA_WRAP,
  unwrap: pkcs11.CKA_UNWRAP,
  derive: pkcs11.CKA_DERIVE,
  signRecover: pkcs11.CKA_SIGN_RECOVER,
  verifyRecover: pkcs11.CKA_VERIFY_RECOVER,
} as const;

export type KeyFlag = keyof typeof KEY_FLAG_ATTRIBUTES;
export type KeyFlags = Readonly<Partial<Record<KeyFlag, boolean>>>;

/** Flags only the token sets (PKCS#11 v2.40 §4.4, §4.9): never put in a template. */
export const TOKEN_SET_FLAGS: ReadonlySet<KeyFlag> = new Set(['alwaysSensitive', 'neverExtractable', 'local']);

/** The PKCS#11 name of a flag, for messages and docs: `sensitive` → `CKA_SENSITIVE`. */
export function attributeName(flag: KeyFlag): string {
  return `CKA_${flag.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;
}

/** Template entries for the settable flags in `flags`. */
export function flagTemplate(flags: KeyFlags): Template {
  return Object.entries(flags)
    .filter(([flag]) => !TOKEN_SET_FLAGS.has(flag as KeyFlag))
    .map(([flag, value]) => ({ type: KEY_FLAG_ATTRIBUTES[flag as KeyFlag], value }));
}

/** Decodes a CK_ULONG attribute value (native byte order, 4 or 8 bytes). */
export function decodeUlong(value: Buffer): number {
  const littleEndian = endianness() === 'LE';
  if (value.length === 8) return Number(littleEndian ? value.readBigUInt64LE() : value.readBigUInt64BE());
  if (value.length === 4) return littleEndian ? value.readUInt32LE() : value.readUInt32BE();
  return Number.NaN;
}

/** Decodes a CK_BBOOL attribute value (one byte, CK_TRUE = 1). */
export function decodeBool(value: Buffer): boolean {
  return value.length > 0 && value[0] !== 0;
}
