// Public API of libs/encoding: the one home of the byte and text encodings every package shares
// (hex, base64, RFC 8785 canonical JSON). Framework-free; import it as '#ingrain/encoding'.
export * from './errors.js';
export * from './hex.js';
export * from './base64.js';
export * from './canonical-json.js';
