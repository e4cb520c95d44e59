// HPKE (RFC 9180, mode_base, single shot) on node:crypto, and the station sealing envelope built
// on it (docs/sealing.md). Fixed-ephemeral sealing stays internal to this folder.
export * from './errors.js';
export {
  HPKE_AEAD_AES_128_GCM,
  HPKE_AEAD_AES_256_GCM,
  HPKE_KDF_HKDF_SHA256,
  HPKE_KEM_DHKEM_P256_HKDF_SHA256,
  HPKE_P256_SHA256_AES128GCM,
  HPKE_P256_SHA256_AES256GCM,
  type HpkeSuite,
} from './suite.js';
export {
  deriveP256KeyPair,
  generateP256KeyPair,
  p256PublicKeyBytes,
  parseP256PrivateKey,
  parseP256PublicKey,
  validateP256PublicKey,
  P256_PUBLIC_KEY_BYTES,
  type P256KeyPair,
} from './dhkem-p256.js';
export { hpkeOpen, hpkeSeal, type HpkeOpenInput, type HpkeSealed, type HpkeSealInput } from './hpke.js';
export {
  DEFAULT_STATION_SEAL_SUITE,
  STATION_SEAL_DOMAIN,
  STATION_SEAL_MAX_PLAINTEXT_BYTES,
  STATION_SEAL_SUITES,
  STATION_SEAL_VERSION,
  openAsStation,
  parseStationSealedEnvelope,
  sealForStation,
  stationSealInfo,
  stationKeyFingerprint,
  type OpenAsStationInput,
  type SealForStationInput,
  type StationSealBinding,
  type StationSealedEnvelope,
  type StationSealSuiteName,
} from './station-seal.js';
