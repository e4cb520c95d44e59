// Public API of libs/crypto. Apps and tests import from '#ingrain/crypto' only; test doubles
// (a node:crypto Signer, sample devices) live behind '#ingrain/crypto/testing'.
export * from './errors.js';
export * from './signer.js';
export * from './encoding/index.js';
export * from './hsm/index.js';
export * from './certs/index.js';
export * from './attestation/index.js';
export * from './log/index.js';
export * from './verify/index.js';
export * from './hpke/index.js';
