// Byte and text encodings shared by libs/crypto (certificates, attestations, the log, the verifier).
export * from './errors.js';
export * from './hex.js';
export * from './base64.js';
export * from './pem.js';
export * from './digest.js';
export * from './der-writer.js';
export * from './der-reader.js';
export * from './ecdsa-signature.js';
export * from './jcs.js';
