// The trust module: service keys, the device CA and the trust material (TrustService).
export { TrustModule } from './trust.module.js';
export { TrustService, type PublicKeys, type TrustConfig } from './trust.service.js';
export { TrustError, type TrustErrorCode } from './trust-error.js';
export { CA_CERTIFICATE_FILE } from './trust-material.js';
