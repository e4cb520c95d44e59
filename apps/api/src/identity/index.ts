// Device identity issuance and claim-time re-materialization (plain classes; IdentityModule makes
// IdentityService a Nest provider).
export {
  IdentityService,
  type IdentityHsm,
  type IdentityRequest,
  type IdentityServiceOptions,
  type IssuedIdentity,
} from './identity.service.js';
export { type StoredIdentity } from './rematerialize.js';
export { SEALED_SECRETS_VERSION, sealedSecretsAad } from './sealed-secrets.js';
export { publicKeyPointSha256 } from './identity-plan.js';
