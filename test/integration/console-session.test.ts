// The console's sessions through the API (docs/console.md, "Security model"): sign-in with a pasted
// token sets an HttpOnly, SameSite=Strict cookie; the cookie authenticates API routes with the
// token's role; a state-changing request with the cookie needs the session's X-CSRF-Token; sign-out,
// revoking the token and the idle timeout end the session; a station token cannot sign in; failed
// sign-ins count toward the same failure limit as bearer tokens; every console response carries the
// security headers. The bearer path is unchanged (its own tests).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Response } from 'supertest';
import { startTestApi, type TestApi } from '../../testkit/api.js';

interface SessionBody {
  readonly role: string;
  readonly subject: string;
  readonly csrfToken: string;
  readonly expiresAt: string;
}

function cookieOf(response: Response): string {
  const header = response.headers['set-cookie'] as unknown as string[] | undefined;
  const cookie = header?.find((value) => value.startsWith('ingrain_session='));
  assert.ok(cookie !== undefined, `a session cookie: ${JSON.stringify(response.headers)}`);
  return cookie;
}

describe('console sessions', () => {
  let api: TestApi;
  let tokens: Record<'admin' | 'mes' | 'auditor', string>;

  async function signIn(token: string): Promise<{ cookie: string; session: SessionBody }> {
    const response = await api.http().post('/console/session').send({ token }).expect(200);
    const setCookie = cookieOf(response);
    return { cookie: setCookie.split(';', 1)[0] ?? '', session: response.body as SessionBody };
  }

  before(async () => {
    api = await startTestApi({
      env: { INGRAIN_AUTH_FAILURE_LIMIT: '3', INGRAIN_CONSOLE_SESSION_IDLE_S: '10' },
    });
    tokens = {
      admin: api.adminToken,
      mes: await api.createToken('mes', 'console-mes'),
      auditor: await api.createToken('auditor', 'console-auditor'),
    };
  });
  after(async () => {
    await api?.close();
  });

  test('sign-in sets an HttpOnly, SameSite=Strict cookie holding no token, and answers role, subject and CSRF token', async () => {
    const response = await api.http().post('/console/session').send({ token: tokens.mes }).expect(200);
    const cookie = cookieOf(response);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Strict/);
    assert.match(cookie, /; Path=\//);
    assert.doesNotMatch(cookie, /; Secure/, 'plain HTTP: not Secure (HTTPS sets it)');
    assert.ok(!cookie.includes(tokens.mes), 'the cookie is not the token');
    const body = response.body as SessionBody;
    assert.equal(body.role, 'mes');
    assert.equal(body.subject, 'console-mes');
    assert.match(body.csrfToken, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!JSON.stringify(body).includes(tokens.mes));
    const current = await api
      .http()
      .get('/console/session')
      .set('cookie', cookie.split(';', 1)[0] ?? '')
      .expect(200);
    assert.deepEqual(current.body, body);
  });

  test("the cookie authenticates API routes with the token's role, and no other role's", async () => {
    const { cookie } = await signIn(tokens.mes);
    await api.http().get('/v1/products').set('cookie', cookie).expect(200);
    const refused = await api.http().get('/v1/tokens').set('cookie', cookie).expect(403);
    assert.equal((refused.body as { code: string }).code, 'ROLE_FORBIDDEN');
    const auditor = await signIn(tokens.auditor);
    await api.http().get('/v1/log/checkpoint').set('cookie', auditor.cookie).expect(200);
    const auditorRefused = await api.http().get('/v1/products').set('cookie', auditor.cookie).expect(403);
    assert.equal((auditorRefused.body as { code: string }).code, 'ROLE_FORBIDDEN');
  });

  test('a state-changing request with the cookie needs the X-CSRF-Token of its session', async () => {
    const admin = await signIn(tokens.admin);
    const other = await signIn(tokens.admin);
    const body = { name: 'csrf-probe', role: 'auditor' };
    const missing = await api.http().post('/v1/tokens').set('cookie', admin.cookie).send(body).expect(403);
    assert.equal((missing.body as { code: string }).code, 'CSRF_TOKEN_INVALID');
    const wrong = await api
      .http()
      .post('/v1/tokens')
      .set('cookie', admin.cookie)
      .set('x-csrf-token', other.session.csrfToken)
      .send(body)
      .expect(403);
    assert.equal((wrong.body as { code: string }).code, 'CSRF_TOKEN_INVALID');
    const list = (await api.http().get('/v1/tokens').set('cookie', admin.cookie).expect(200)).body as {
      tokens: { name: string }[];
    };
    assert.ok(!list.tokens.some((token) => token.name === 'csrf-probe'), 'nothing was created');
    await api
      .http()
      .post('/v1/tokens')
      .set('cookie', admin.cookie)
      .set('x-csrf-token', admin.session.csrfToken)
      .send(body)
      .expect(201);
  });

  test('sign-out ends the session and clears the cookie; sign-out needs the CSRF token too', async () => {
    const { cookie, session } = await signIn(tokens.auditor);
    const refused = await api.http().delete('/console/session').set('cookie', cookie).expect(403);
    assert.equal((refused.body as { code: string }).code, 'CSRF_TOKEN_INVALID');
    const out = await api
      .http()
      .delete('/console/session')
      .set('cookie', cookie)
      .set('x-csrf-token', session.csrfToken)
      .expect(204);
    assert.match(cookieOf(out), /^ingrain_session=; Max-Age=0/);
    const after = await api.http().get('/console/session').set('cookie', cookie).expect(401);
    assert.equal((after.body as { code: string }).code, 'CONSOLE_SESSION_INVALID');
    await api.http().get('/v1/log/checkpoint').set('cookie', cookie).expect(401);
  });

  test('revoking the token ends its sessions', async () => {
    const secret = await api.createToken('auditor', 'to-revoke');
    const { cookie } = await signIn(secret);
    await api.http().get('/v1/log/checkpoint').set('cookie', cookie).expect(200);
    const list = (await api.http().get('/v1/tokens').auth(tokens.admin, { type: 'bearer' }).expect(200)).body as {
      tokens: { id: string; name: string }[];
    };
    const id = list.tokens.find((token) => token.name === 'to-revoke')?.id ?? '';
    await api.http().delete(`/v1/tokens/${id}`).auth(tokens.admin, { type: 'bearer' }).expect(204);
    const refused = await api.http().get('/v1/log/checkpoint').set('cookie', cookie).expect(401);
    assert.equal((refused.body as { code: string }).code, 'CONSOLE_SESSION_INVALID');
  });

  test('a station token cannot sign in; an unknown or forged cookie is refused', async () => {
    await api
      .http()
      .post('/v1/stations')
      .auth(tokens.admin, { type: 'bearer' })
      .send({ id: 'st-console', name: 'Console test station', line: 'line-c' })
      .expect(201);
    const stationToken = await api.createToken('station', 'st-console-token', 'st-console');
    const station = await api.http().post('/console/session').send({ token: stationToken }).expect(403);
    assert.equal((station.body as { code: string }).code, 'CONSOLE_ROLE_NOT_ALLOWED');
    const forged = await api
      .http()
      .get('/console/session')
      .set('cookie', `ingrain_session=${'A'.repeat(43)}`)
      .expect(401);
    assert.equal((forged.body as { code: string }).code, 'CONSOLE_SESSION_INVALID');
    const malformed = await api.http().get('/v1/products').set('cookie', 'ingrain_session=nope').expect(401);
    assert.equal((malformed.body as { code: string }).code, 'CONSOLE_SESSION_INVALID');
    const none = await api.http().get('/v1/products').expect(401);
    assert.equal((none.body as { code: string }).code, 'AUTH_REQUIRED', 'without a cookie: the bearer answer');
  });

  test('failed sign-ins count toward the failure limit of the bearer path', async () => {
    let limited = false;
    for (let attempt = 0; attempt < 6 && !limited; attempt++) {
      const response = await api
        .http()
        .post('/console/session')
        .send({ token: `ingr_${'0'.repeat(43)}` });
      limited = response.status === 429;
      if (!limited) assert.equal(response.status, 401);
    }
    assert.ok(limited, 'sign-in is rate-limited after repeated failures');
    const bearer = await api
      .http()
      .get('/v1/products')
      .auth(`ingr_${'1'.repeat(43)}`, { type: 'bearer' });
    assert.equal(bearer.status, 429, 'the same window as bearer tokens');
    // A valid token is never refused.
    await api.http().post('/console/session').send({ token: tokens.mes }).expect(200);
  });

  test('every console response carries the CSP and security headers; the page has no inline script', async () => {
    const page = await api.http().get('/').expect(200);
    const { cookie } = await signIn(tokens.admin);
    const session = await api.http().get('/console/session').set('cookie', cookie).expect(200);
    const scriptName = /src="\/console\/assets\/(main-[0-9a-f]{16}\.js)"/.exec(page.text)?.[1];
    assert.ok(scriptName !== undefined, page.text);
    const asset = await api.http().get(`/console/assets/${scriptName}`).expect(200);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    for (const response of [page, session, asset]) {
      const csp = String(response.headers['content-security-policy']);
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['x-frame-options'], 'DENY');
      assert.equal(response.headers['referrer-policy'], 'no-referrer');
    }
    assert.doesNotMatch(page.text, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(page.text, /https?:\/\//, 'nothing from another origin');
    assert.equal(page.headers['cache-control'], 'no-cache');
  });
});
