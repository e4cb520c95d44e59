// Byte helpers of the browser verifier: UTF-8, hex, strict base64, SHA-256. WebCrypto, TextEncoder
// and Uint8Array only (no Buffer, no Node module): the same code runs in a page and under node --test.

/** A copy backed by a plain ArrayBuffer: what WebCrypto's BufferSource accepts in every lib.dom. */
export function owned(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(new ArrayBuffer(bytes.length));
  copy.set(bytes);
  return copy;
}

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return owned(encoder.encode(text));
}

/** Strict UTF-8 decoding: undefined for invalid sequences. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(parts.reduce((sum, part) => sum + part.length, 0)));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** Lowercase or uppercase hex of even length; undefined otherwise. */
export function fromHex(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(new ArrayBuffer(text.length / 2));
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const n = (a << 16) | (b << 8) | c;
    out += STANDARD[(n >> 18) & 63]! + STANDARD[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? STANDARD[(n >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? STANDARD[n & 63]! : '=';
  }
  return out;
}

/**
 * Base64 (RFC 4648 §4, or the URL-safe alphabet of §5 when `urlSafe`), accepted only in its
 * canonical text: padded, no whitespace, zero pad bits — so one byte string has one text
 * (docs/attestation.md "Base64"). Undefined for anything else.
 */
export function fromBase64(
  text: string,
  options: { readonly urlSafe?: boolean } = {},
): Uint8Array<ArrayBuffer> | undefined {
  let standard = text;
  if (options.urlSafe === true) {
    if (/[+/]/.test(text)) return undefined;
    standard = text.replace(/-/g, '+').replace(/_/g, '/');
  }
  if (standard.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(standard)) return undefined;
  const padding = standard.endsWith('==') ? 2 : standard.endsWith('=') ? 1 : 0;
  const out = new Uint8Array(new ArrayBuffer((standard.length / 4) * 3 - padding));
  let o = 0;
  for (let i = 0; i < standard.length; i += 4) {
    const values = [0, 1, 2, 3].map((k) => {
      const char = standard[i + k]!;
      return char === '=' ? 0 : STANDARD.indexOf(char);
    });
    const n = (values[0]! << 18) | (values[1]! << 12) | (values[2]! << 6) | values[3]!;
    const triple = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
    for (const byte of triple) if (o < out.length) out[o++] = byte;
  }
  return toBase64(out) === standard ? out : undefined;
}

/** Standard, or else URL-safe, canonical base64 (DSSE allows both). */
export function fromAnyBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  return fromBase64(text) ?? fromBase64(text, { urlSafe: true });
}

export async function sha256(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', owned(bytes)));
}

/** Text of PEM blocks of `label`: the DER of the first one, or undefined. */
export function pemToDer(pem: string, label: string): Uint8Array<ArrayBuffer> | undefined {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  if (match === null) return undefined;
  return fromBase64((match[1] ?? '').replace(/\s+/g, ''));
}
