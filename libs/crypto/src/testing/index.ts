// Test doubles and test data only. Never wire these into an app: production keys live in the HSM.
export * from './software-signer.js';
export * from './attestation-fixtures.js';
export * from './station-key.js';
export { buildFixture as buildVerifierFixture, type Fixture as VerifierFixture } from '../verify/testing/fixtures.js';
