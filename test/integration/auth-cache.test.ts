// The cache of authenticated tokens (INGRAIN_AUTH_CACHE_TTL_MS, apps/api/src/auth/principal-cache.ts)
// with two API instances on one database, as two API processes behind a load balancer: a token
// revoked through one is refused by that one at once, and by the other once its TTL is over; a
// token created a moment ago works at once; the station's three calls per device read api_tokens once.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { PrincipalCache } from '../../apps/api/src/auth/principal-cache.js';
import { loadApiConfig } from '../../apps/api/src/config/api-config.js';
import { createApp } from '../../apps/api/src/http/create-app.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';

/** The second instance's TTL: long enough to see it answer from its cache, short enough to wait out. */
const OTHER_TTL_MS = 1500;

describe('the principal cache across two API instances', () => {
  let api: TestApi;
  let other: NestFastifyApplication;

  before(async () => {
    api = await startTestApi({ env: { INGRAIN_AUTH_CACHE_TTL_MS: '60000' } });
    const config = loadApiConfig(
      {
        ...api.hsmToken.env,
        REDIS_URL: api.redis.url,
        LOG_LEVEL: 'warn',
        INGRAIN_PUBLIC_KEYS_DIR: api.publicKeysDir,
        INGRAIN_AUTH_CACHE_TTL_MS: String(OTHER_TTL_MS),
      },
      api.publicKeysDir,
    );
    other = await createApp(config, { database: api.database, logDestination: { write: () => undefined } });
  });
  after(async () => {
    await other?.close();
    await api?.close();
  });

  const listTokens = (app: NestFastifyApplication, token: string) =>
    request(app.getHttpServer()).get('/v1/tokens').set('authorization', `Bearer ${token}`);

  test('revoked through one instance: refused there at once, by the other after its TTL', async () => {
    const token = await api.createToken('admin', 'cache-revoked');
    const id = (
      (await listTokens(api.app, token).expect(200)).body as { tokens: { id: string; name: string }[] }
    ).tokens.find((entry) => entry.name === 'cache-revoked')?.id;
    assert.ok(id !== undefined);
    const askedAtMs = Date.now();
    await listTokens(other, token).expect(200);
    const answeredAtMs = Date.now(); // its entry was read in between: it expires within [asked, answered] + TTL
    await listTokens(api.app, token).expect(200);

    await request(api.app.getHttpServer())
      .delete(`/v1/tokens/${id}`)
      .set('authorization', `Bearer ${api.adminToken}`)
      .expect(204);
    // The instance that revoked it: at once, although its TTL is a minute and it had the token cached.
    assert.equal((await listTokens(api.app, token)).status, 401);
    const early = await listTokens(other, token);
    // The other instance has not heard of it; its entry (if still young) answers until the TTL is over.
    if (Date.now() < askedAtMs + OTHER_TTL_MS) assert.equal(early.status, 200);
    await sleep(Math.max(0, answeredAtMs + OTHER_TTL_MS + 10 - Date.now()));
    assert.equal((await listTokens(other, token)).status, 401);
  });

  test('a token just created works at once on both (failures are not cached)', async () => {
    const guessed = `ingr_${'A'.repeat(43)}`;
    assert.equal((await listTokens(other, guessed)).status, 401);
    const token = await api.createToken('admin', 'cache-new');
    await listTokens(api.app, token).expect(200);
    await listTokens(other, token).expect(200);
  });

  test('the cache holds token hashes and principals, never a token', async () => {
    const token = await api.createToken('admin', 'cache-secret');
    await listTokens(api.app, token).expect(200);
    const held = JSON.stringify(api.app.get(PrincipalCache).entries());
    assert.ok(held.includes('cache-secret'));
    assert.equal(held.includes(token), false);
    assert.equal(held.includes(token.slice('ingr_'.length)), false);
    assert.equal(held.includes(api.adminToken), false);
  });
});
