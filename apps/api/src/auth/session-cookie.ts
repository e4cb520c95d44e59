// The console's session cookie (docs/console.md): its name, how it is read from a request and
// written on a reply. The value is a random id; the database keeps only its SHA-256.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'ingrain_session';
/** 32 random bytes, base64url: 43 characters. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** A new random session id or CSRF token (256 bits, base64url). */
export function newSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSessionId(id: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(id, 'utf8').digest());
}

/**
 * The session id of the request's `ingrain_session` cookie: undefined when there is none, null when
 * there is one that cannot be a session id.
 */
export function sessionIdOf(request: FastifyRequest): string | null | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0 || part.slice(0, index).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(index + 1).trim();
    return SESSION_ID.test(value) ? value : null;
  }
  return undefined;
}

/** The Set-Cookie value that stores `id` (HttpOnly, SameSite=Strict, Path=/, Secure over HTTPS). */
export function sessionCookie(id: string, maxAgeS: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; Max-Age=${maxAgeS}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie value that makes the browser forget the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
