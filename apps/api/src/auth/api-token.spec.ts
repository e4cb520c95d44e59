import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { generateToken, hashToken, isWellFormedToken, TOKEN_PREFIX } from './api-token.js';

describe('API tokens', () => {
  test('are ingr_ + base64url of 32 bytes, and distinct', () => {
    const tokens = Array.from({ length: 50 }, () => generateToken().token);
    for (const token of tokens) {
      assert.ok(token.startsWith(TOKEN_PREFIX));
      assert.equal(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').length, 32);
      assert.ok(isWellFormedToken(token), token);
    }
    assert.equal(new Set(tokens).size, tokens.length);
  });

  test('the stored hash is SHA-256 of the whole token text', () => {
    const { token, tokenHash } = generateToken();
    assert.deepEqual(tokenHash, new Uint8Array(createHash('sha256').update(token).digest()));
    assert.deepEqual(hashToken(token), tokenHash);
    assert.equal(tokenHash.length, 32);
  });

  test('malformed tokens are recognized without a lookup', () => {
    const { token } = generateToken();
    for (const bad of [
      '',
      'ingr_',
      `${token}x`,
      token.slice(0, -1),
      token.replace('ingr_', 'ingx_'),
      `${token.slice(0, -1)}=`,
    ]) {
      assert.equal(isWellFormedToken(bad), false, bad);
    }
  });
});
