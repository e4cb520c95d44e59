export * from './types.js';
export * from './errors.js';
export { GENERATOR_SPECS, type GeneratorSpec } from './generators.js';
export { parseLayout, type LayoutFormat } from './parse-layout.js';
export { validateLayout } from './validate-layout.js';
export { encodeImage } from './encode-image.js';
export { decodeImage, type DecodedField, type DecodeOptions, type FieldState } from './decode-image.js';
export { canonicalLayout, layoutDigest } from './digest.js';
export { redactValues, REDACTED } from './redact.js';
