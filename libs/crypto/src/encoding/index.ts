// Byte and text encodings of libs/crypto (certificates, attestations, the log, the verifier). Hex,
// base64, canonical JSON and EncodingError live in libs/encoding ('#ingrain/encoding').
export * from './pem.js';
export * from './digest.js';
export * from './der-writer.js';
export * from './der-reader.js';
export * from './ecdsa-signature.js';
export * from './pem-files.js';
