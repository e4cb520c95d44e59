import { createHmac } from 'node:crypto';
import { HpkeError } from './errors.js';
import { ascii, concatBytes, i2osp } from './suite.js';

// HKDF-SHA256 (RFC 5869) and RFC 9180 §4's labeled variants. node:crypto's hkdf() runs extract
// and expand as one step, so the labeled forms (which put a label inside each step) are built here
// on HMAC-SHA256.

/** Nh of HKDF-SHA256 (RFC 9180 §7.2). */
export const SHA256_BYTES = 32;

const HPKE_VERSION_LABEL = ascii('HPKE-v1');

/** RFC 5869 §2.2 Extract; an empty salt is HashLen zero bytes, which HMAC treats alike. */
export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', salt).update(ikm).digest());
}

/** RFC 5869 §2.3 Expand: the first `length` bytes of T(1) || T(2) || …, at most 255·HashLen. */
export function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 255 * SHA256_BYTES) {
    throw new HpkeError('HPKE_INVALID_ARGUMENT', `HKDF-Expand length ${length} out of range 0-${255 * SHA256_BYTES}`);
  }
  const blocks: Uint8Array[] = [];
  let previous = new Uint8Array(0);
  for (let counter = 1; blocks.length * SHA256_BYTES < length; counter += 1) {
    previous = new Uint8Array(
      createHmac('sha256', prk).update(previous).update(info).update(i2osp(counter, 1)).digest(),
    );
    blocks.push(previous);
  }
  return concatBytes(...blocks).subarray(0, length);
}

/** RFC 9180 §4: LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" || suite_id || label || ikm). */
export function labeledExtract(suiteId: Uint8Array, salt: Uint8Array, label: string, ikm: Uint8Array): Uint8Array {
  return hkdfExtract(salt, concatBytes(HPKE_VERSION_LABEL, suiteId, ascii(label), ikm));
}

/**
 * RFC 9180 §4: LabeledExpand(prk, label, info, L) =
 * Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L).
 */
export function labeledExpand(
  suiteId: Uint8Array,
  prk: Uint8Array,
  label: string,
  info: Uint8Array,
  length: number,
): Uint8Array {
  return hkdfExpand(prk, concatBytes(i2osp(length, 2), HPKE_VERSION_LABEL, suiteId, ascii(label), info), length);
}
