// Ingrain's long-lived keys and the attributes each must have. docs/keys.md is the readable form
// of this file: change both together.
import { attributeName, type KeyFlag, type KeyFlags } from './attributes.js';
import type { KeyObjectInfo } from './objects.js';

/** Labels of the service keys. */
export const SERVICE_KEY_LABELS = {
  deviceCa: 'ingrain-device-ca',
  attestation: 'ingrain-attestation',
  log: 'ingrain-log',
  derivationMaster: 'ingrain-derivation-master',
  secretSeal: 'ingrain-secret-seal',
} as const;

export type ServiceKeyKind = 'p256-signing' | 'hmac-master' | 'aes-seal';

/** One entry of the key inventory. */
export interface ServiceKeySpec {
  readonly label: string;
  readonly kind: ServiceKeyKind;
  /** Human-readable algorithm, as printed by the ceremony. */
  readonly algorithm: string;
  readonly purpose: string;
}

/** The inventory, in ceremony order. */
export const SERVICE_KEYS: readonly ServiceKeySpec[] = [
  {
    label: SERVICE_KEY_LABELS.deviceCa,
    kind: 'p256-signing',
    algorithm: 'ECDSA P-256',
    purpose: 'signs device certificates (and self-signs the device CA certificate)',
  },
  {
    label: SERVICE_KEY_LABELS.attestation,
    kind: 'p256-signing',
    algorithm: 'ECDSA P-256',
    purpose: 'signs provisioning attestations',
  },
  {
    label: SERVICE_KEY_LABELS.log,
    kind: 'p256-signing',
    algorithm: 'ECDSA P-256',
    purpose: 'signs transparency-log checkpoints',
  },
  {
    label: SERVICE_KEY_LABELS.derivationMaster,
    kind: 'hmac-master',
    algorithm: 'HMAC-SHA256, 256-bit generic secret',
    purpose: 'derives per-device secrets (SP 800-108 counter mode)',
  },
  {
    label: SERVICE_KEY_LABELS.secretSeal,
    kind: 'aes-seal',
    algorithm: 'AES-256-GCM',
    purpose: 'seals device secrets that cannot be re-derived (exported device private keys, secret inputs)',
  },
];

/** Length of the derivation master, in bytes (256 bits). */
export const DERIVATION_MASTER_LENGTH_BYTES = 32;

/** Length of the seal key, in bytes (AES-256). */
export const SECRET_SEAL_KEY_LENGTH_BYTES = 32;

// Each policy lists only attributes PKCS#11 defines for that object class (v2.40 §4.8–4.9):
// a template with another class's attribute fails with CKR_ATTRIBUTE_TYPE_INVALID.
// Token-set attributes (ALWAYS_SENSITIVE, NEVER_EXTRACTABLE, LOCAL) are checked, never set.

/** Required attributes of a service signing private key: signs, nothing else, never leaves. */
export const SIGNING_PRIVATE_KEY_POLICY: KeyFlags = {
  token: true,
  private: true,
  modifiable: false,
  sensitive: true,
  extractable: false,
  alwaysSensitive: true,
  neverExtractable: true,
  local: true,
  sign: true,
  signRecover: false,
  decrypt: false,
  unwrap: false,
  derive: false,
};

/** Required attributes of a service signing key's public half: verifies, nothing else. */
export const SIGNING_PUBLIC_KEY_POLICY: KeyFlags = {
  token: true,
  private: false,
  modifiable: false,
  local: true,
  verify: true,
  verifyRecover: false,
  encrypt: false,
  wrap: false,
  derive: false,
};

/** Required attributes of the derivation master: HMAC (CKA_SIGN) and nothing else, never leaves. */
export const DERIVATION_MASTER_POLICY: KeyFlags = {
  token: true,
  private: true,
  modifiable: false,
  sensitive: true,
  extractable: false,
  alwaysSensitive: true,
  neverExtractable: true,
  local: true,
  sign: true,
  verify: false,
  encrypt: false,
  decrypt: false,
  wrap: false,
  unwrap: false,
  derive: false,
};

/**
 * Required attributes of the seal key: AES-GCM encryption and decryption of sealed device secrets
 * (CKA_ENCRYPT/CKA_DECRYPT) and nothing else; never leaves. No CKA_WRAP/CKA_UNWRAP: what it seals
 * is data, not key objects, and a wrapping key could export other extractable keys.
 */
export const SECRET_SEAL_KEY_POLICY: KeyFlags = {
  token: true,
  private: true,
  modifiable: false,
  sensitive: true,
  extractable: false,
  alwaysSensitive: true,
  neverExtractable: true,
  local: true,
  encrypt: true,
  decrypt: true,
  sign: false,
  verify: false,
  wrap: false,
  unwrap: false,
  derive: false,
};

/**
 * How `key` departs from `policy`, one readable line per attribute (e.g.
 * `CKA_EXTRACTABLE is true, required false`); an attribute the token did not report counts as a
 * departure. Empty when the key complies.
 */
export function policyViolations(key: KeyObjectInfo, policy: KeyFlags): string[] {
  return Object.entries(policy).flatMap(([flag, required]) => {
    const actual = key.flags[flag as KeyFlag];
    if (actual === required) return [];
    const shown = actual === undefined ? 'not reported' : String(actual);
    return [`${attributeName(flag as KeyFlag)} is ${shown}, required ${String(required)}`];
  });
}
