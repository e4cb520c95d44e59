// The trust module: service keys and CA (TrustService), identity issuance (IdentityService),
// the transparency log (LogService).
export { TrustModule } from './trust.module.js';
export { TrustService, type PublicKeys, type TrustConfig } from './trust.service.js';
export { LogService, type AppendedAttestation, type InclusionProof } from './log.service.js';
export { TrustError, type TrustErrorCode } from './trust-error.js';
export { CA_CERTIFICATE_FILE } from './trust-material.js';
