import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { clearedSessionCookie, hashSessionId, newSessionSecret, sessionCookie, sessionIdOf } from './session-cookie.js';

const withCookie = (cookie: string | undefined) => ({ headers: { cookie } }) as unknown as FastifyRequest;

describe('the console session cookie', () => {
  test('a new session id is 256 random bits in base64url, and its hash is SHA-256', () => {
    const id = newSessionSecret();
    assert.match(id, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(newSessionSecret(), id);
    assert.equal(hashSessionId(id).length, 32);
  });

  test('the cookie is HttpOnly, SameSite=Strict, Path=/, and Secure only over HTTPS', () => {
    assert.equal(sessionCookie('abc', 60, false), 'ingrain_session=abc; Max-Age=60; Path=/; HttpOnly; SameSite=Strict');
    assert.match(sessionCookie('abc', 60, true), /; Secure$/);
    assert.match(clearedSessionCookie(false), /^ingrain_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict$/);
  });

  test('the id is read among other cookies; a malformed one is null, none is undefined', () => {
    const id = newSessionSecret();
    assert.equal(sessionIdOf(withCookie(`theme=dark; ingrain_session=${id}; other=1`)), id);
    assert.equal(sessionIdOf(withCookie('ingrain_session=short')), null);
    assert.equal(sessionIdOf(withCookie(`ingrain_session=${id}x`)), null);
    assert.equal(sessionIdOf(withCookie('theme=dark')), undefined);
    assert.equal(sessionIdOf(withCookie(undefined)), undefined);
  });
});
