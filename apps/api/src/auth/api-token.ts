import { hash, randomBytes } from 'node:crypto';

/** Prefix of every Ingrain API token: makes leaked tokens easy to spot (secret scanners, logs). */
export const TOKEN_PREFIX = 'ingr_';
const SECRET_BYTES = 32;
/** `ingr_` + base64url (no padding) of 32 random bytes: 43 characters. */
const TOKEN_PATTERN = /^ingr_[A-Za-z0-9_-]{43}$/;

/** A freshly generated token: the secret (shown once) and the only thing stored, its SHA-256. */
export interface GeneratedToken {
  readonly token: string;
  readonly tokenHash: Uint8Array;
}

/** True when `text` has the shape of an Ingrain token (says nothing about whether it is valid). */
export function isWellFormedToken(text: string): boolean {
  return TOKEN_PATTERN.test(text);
}

/** SHA-256 over the token's UTF-8 text (prefix included): the lookup key stored in `api_tokens.token_hash`. */
export function hashToken(token: string): Uint8Array {
  // One-shot hash (no Hash object): this runs on every authenticated request.
  return new Uint8Array(hash('sha256', token, 'buffer'));
}

/** 32 bytes from the OS CSPRNG, as `ingr_<base64url>`, and its hash. */
export function generateToken(): GeneratedToken {
  const token = `${TOKEN_PREFIX}${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { token, tokenHash: hashToken(token) };
}
