// Public API of the HSM access layer (re-exported by libs/crypto/src/index.ts).
export { HsmError, type HsmErrorCode } from './errors.js';
export { HsmPin } from './pin.js';
export {
  DEFAULT_PKCS11_MODULE,
  DEFAULT_TOKEN_LABEL,
  loadHsmConfig,
  type HsmConfig,
  type TokenSelector,
} from './config.js';
export { Hsm, type HsmOpenOptions } from './hsm.js';
export type { TokenDescription } from './token.js';
export type { CapabilityCheck, ProbeOptions, ProbeReport } from './capabilities.js';
export type { DeviceKeyPair, DeviceKeyPairOptions } from './device-keys.js';
export {
  DERIVATION_LABEL,
  MAX_DERIVED_LENGTH_BYTES,
  deriveDeviceSecretWithKey,
  encodeDerivationContext,
  type DerivationContext,
} from './derivation.js';
export { KEY_FLAG_ATTRIBUTES, attributeName, type KeyFlag, type KeyFlags } from './attributes.js';
export type { KeyObjectClass, KeyObjectInfo, KeyType } from './objects.js';
export {
  DERIVATION_MASTER_LENGTH_BYTES,
  DERIVATION_MASTER_POLICY,
  SECRET_SEAL_KEY_LENGTH_BYTES,
  SECRET_SEAL_KEY_POLICY,
  SERVICE_KEYS,
  SERVICE_KEY_LABELS,
  SIGNING_PRIVATE_KEY_POLICY,
  SIGNING_PUBLIC_KEY_POLICY,
  policyViolations,
  type ServiceKeyKind,
  type ServiceKeySpec,
} from './inventory.js';
export {
  assessServiceKey,
  ensureServiceKeys,
  inspectServiceKeys,
  type ServiceKeyAssessment,
  type ServiceKeyState,
} from './service-keys.js';
export {
  MAX_SEAL_AAD_BYTES,
  MAX_SEAL_PLAINTEXT_BYTES,
  SEALED_BLOB_VERSION,
  SEAL_AAD_DOMAIN,
  SEAL_IV_LENGTH_BYTES,
} from './sealing.js';
export { P256_EC_PARAMS_DER } from './ec.js';
export type { Handle as Pkcs11Handle, Pkcs11 } from './pkcs11.js';
