// The plaintext Ingrain seals for one device: every secret field that cannot be re-derived (an
// exported device private key, secret inputs), exactly as written into OTP. Sealed with
// hsm.seal under `ingrain-secret-seal`; format in docs/keys.md ("Sealing device secrets").
import { AppError } from '../errors/app-error.js';

/** First byte of the plaintext: this encoding's version. */
export const SEALED_SECRETS_VERSION = 1;
const MAX_ENTRIES = 255;
const MAX_NAME_BYTES = 255;
const MAX_VALUE_BYTES = 0xffff;

/** One sealed field: its layout name and its bytes as programmed. */
export interface SealedSecret {
  readonly name: string;
  readonly value: Uint8Array;
}

/**
 * The AAD binding a sealed blob to one device identity: ASCII
 * `ingrain-sealed-secrets/v1|<product>|<serial>` (neither may contain `|`: identifier rule).
 */
export function sealedSecretsAad(product: string, serial: string): Uint8Array {
  return Buffer.from(`ingrain-sealed-secrets/v1|${product}|${serial}`, 'utf8');
}

/**
 * `0x01 ‖ count ‖ (len(name) ‖ name ‖ u16be(len(value)) ‖ value)…`, names in UTF-8, in the given
 * order. A bug guard, not input validation: the layout already bounds names and sizes.
 */
export function encodeSealedSecrets(secrets: readonly SealedSecret[]): Uint8Array {
  if (secrets.length === 0 || secrets.length > MAX_ENTRIES) throw new RangeError('1-255 sealed secrets');
  const parts: Uint8Array[] = [Uint8Array.of(SEALED_SECRETS_VERSION, secrets.length)];
  for (const { name, value } of secrets) {
    const nameBytes = Buffer.from(name, 'utf8');
    if (nameBytes.length === 0 || nameBytes.length > MAX_NAME_BYTES || value.length > MAX_VALUE_BYTES) {
      throw new RangeError('sealed secret name or value out of range');
    }
    const length = Buffer.alloc(2);
    length.writeUInt16BE(value.length);
    parts.push(Uint8Array.of(nameBytes.length), nameBytes, length, value);
  }
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const corrupt = (what: string) =>
  new AppError('IDENTITY_RECORD_INVALID', `the unsealed device secrets are malformed: ${what}`);

/**
 * Decodes what {@link encodeSealedSecrets} wrote. Values are fresh copies.
 *
 * @throws AppError `IDENTITY_RECORD_INVALID` for another version, a truncated or over-long
 *   encoding, or a repeated name (messages never contain a value).
 */
export function decodeSealedSecrets(bytes: Uint8Array): SealedSecret[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length < 2 || view[0] !== SEALED_SECRETS_VERSION) throw corrupt('unknown version');
  const count = view[1]!;
  const secrets: SealedSecret[] = [];
  let offset = 2;
  for (let index = 0; index < count; index++) {
    const nameLength = view[offset];
    if (nameLength === undefined || offset + 1 + nameLength + 2 > view.length) throw corrupt('truncated');
    const name = view.toString('utf8', offset + 1, offset + 1 + nameLength);
    const valueLength = view.readUInt16BE(offset + 1 + nameLength);
    const start = offset + 3 + nameLength;
    if (start + valueLength > view.length) throw corrupt('truncated');
    if (secrets.some((secret) => secret.name === name)) throw corrupt('a field appears twice');
    secrets.push({ name, value: Uint8Array.from(view.subarray(start, start + valueLength)) });
    offset = start + valueLength;
  }
  if (offset !== view.length) throw corrupt('trailing bytes');
  return secrets;
}
