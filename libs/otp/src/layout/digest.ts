import { createHash } from 'node:crypto';
import { bytesToHex, canonicalJson } from '#ingrain/encoding';
import { encodeFieldValue } from './codecs/registry.js';
import { type Layout, type LayoutField } from './types.js';

/** Identifies the canonical form below; bump it if that form ever changes. */
const DIGEST_FORMAT = 'ingrain-layout/1';

/**
 * SHA-256 (lower-case hex) of the layout's canonical JSON (RFC 8785, #ingrain/encoding's
 * canonicalJson): keys sorted, no whitespace, fields in OTP order, constants as the hex of their
 * encoded bytes, descriptions left out. Two files that differ only in formatting, key order, field
 * order, number notation or comments have the same digest; any change to what would be written or locked (or to name/version) changes it.
 */
export function layoutDigest(layout: Layout): string {
  return createHash('sha256')
    .update(canonicalJson(canonicalLayout(layout)))
    .digest('hex');
}

/** The object layoutDigest hashes; exported for tests and for auditors who want to see it. */
export function canonicalLayout(layout: Layout): Record<string, unknown> {
  return {
    format: DIGEST_FORMAT,
    name: layout.name,
    version: layout.version,
    family: layout.family,
    lock: [...layout.lock],
    fields: layout.fields.map(canonicalField),
  };
}

function canonicalField(field: LayoutField): Record<string, unknown> {
  const base = {
    name: field.name,
    type: field.type,
    block: field.block,
    offsetBytes: field.offsetBytes,
    sizeBytes: field.sizeBytes,
    source: field.source,
    secret: field.secret,
  };
  switch (field.source) {
    case 'input':
      return base;
    case 'generated':
      return { ...base, generator: field.generator };
    case 'constant': {
      const encoded = encodeFieldValue(field.type, field.sizeBytes, field.value);
      if (!encoded.ok) throw new Error(`constant ${field.name} no longer encodes`);
      return { ...base, valueHex: bytesToHex(encoded.bytes) };
    }
  }
}
