// ECDSA P-256 with WebCrypto. Ingrain's signatures are DER Ecdsa-Sig-Value (RFC 3279 §2.2.3);
// WebCrypto verifies the raw r‖s form (IEEE P1363), so the DER is converted, strictly.
import { owned } from './bytes.js';
import { children, DerError, readSingle, TAG, unsignedInteger } from './der.js';

/** A WebCrypto public key (named without lib.dom, so the Node build types it too). */
export type VerifyKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

const P256_FIELD_BYTES = 32;

/** DER `SEQUENCE { r INTEGER, s INTEGER }` -> 64-byte r‖s. Throws DerError on non-strict DER. */
export function derSignatureToRaw(der: Uint8Array): Uint8Array<ArrayBuffer> {
  const sequence = readSingle(der, TAG.SEQUENCE);
  const parts = children(sequence);
  if (parts.length !== 2) throw new DerError('signature is not two integers');
  const raw = new Uint8Array(new ArrayBuffer(2 * P256_FIELD_BYTES));
  parts.forEach((part, i) => {
    const value = unsignedInteger(part);
    if (value.length > P256_FIELD_BYTES || value.every((byte) => byte === 0)) {
      throw new DerError('signature integer out of range');
    }
    raw.set(value, (i + 1) * P256_FIELD_BYTES - value.length);
  });
  return raw;
}

/** 64-byte r‖s -> DER `Ecdsa-Sig-Value` (minimal integers). */
export function rawSignatureToDer(raw: Uint8Array): Uint8Array<ArrayBuffer> {
  if (raw.length !== 2 * P256_FIELD_BYTES) throw new DerError('raw P-256 signature must be 64 bytes');
  const integer = (value: Uint8Array): number[] => {
    let start = 0;
    while (start < value.length - 1 && value[start] === 0) start++;
    const body = [...value.subarray(start)];
    if ((body[0]! & 0x80) !== 0) body.unshift(0);
    return [TAG.INTEGER, body.length, ...body];
  };
  const content = [...integer(raw.subarray(0, 32)), ...integer(raw.subarray(32))];
  return owned(Uint8Array.from([TAG.SEQUENCE, content.length, ...content]));
}

/** Imports a DER SubjectPublicKeyInfo as an ECDSA P-256 verification key. */
export function importP256Spki(spkiDer: Uint8Array): Promise<VerifyKey> {
  return crypto.subtle.importKey('spki', owned(spkiDer), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
}

/** True when the DER signature verifies over SHA-256(data); false for a bad or non-strict signature. */
export async function verifyDerSignature(key: VerifyKey, derSignature: Uint8Array, data: Uint8Array): Promise<boolean> {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = derSignatureToRaw(derSignature);
  } catch {
    return false;
  }
  return crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, raw, owned(data));
}
