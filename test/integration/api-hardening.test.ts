// Issue 9, defects 4 and 7 against the real app: a valid token is never refused by the
// authentication-failure limiter (last: it makes 127.0.0.1 a limited address); NUL characters, hostile YAML, an unparseable date and the
// errors Fastify raises before the app's code are all answered with a 4xx problem+json.
import assert from 'node:assert/strict';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Response } from 'supertest';
import { startTestApi, type TestApi } from '../../testkit/api.js';

const MAX_AUTH_FAILURES = 10;
const BODY_LIMIT_BYTES = 4096;

let api: TestApi;
let mesToken: string;
let auditorToken: string;

before(async () => {
  api = await startTestApi({
    env: {
      INGRAIN_AUTH_FAILURE_LIMIT: String(MAX_AUTH_FAILURES),
      INGRAIN_AUTH_FAILURE_WINDOW_SECONDS: '600',
      INGRAIN_BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES),
    },
  });
  mesToken = await api.createToken('mes');
  auditorToken = await api.createToken('auditor');
  const product = await api
    .http()
    .post('/v1/products')
    .set('authorization', bearer(api.adminToken))
    .send({ id: 'sensor-node', name: 'Sensor node', line: 'line-a' });
  assert.equal(product.status, 201, JSON.stringify(product.body));
});

after(() => api?.close());

function bearer(token: string): string {
  return `Bearer ${token}`;
}

/** Any 4xx answered as RFC 9457 problem+json with a code; returns the body. */
function assertClientProblem(response: Response, what: string): Record<string, unknown> {
  assert.ok(response.status >= 400 && response.status < 500, `${what}: status ${response.status} ${response.text}`);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/, `${what}: ${response.text}`);
  const body = JSON.parse(response.text) as Record<string, unknown>;
  assert.equal(typeof body['code'], 'string', what);
  assert.equal(body['status'], response.status, what);
  return body;
}

function assertFieldRefused(response: Response, status: number, code: string, path: string, what: string): void {
  const body = assertClientProblem(response, what);
  assert.equal(response.status, status, `${what}: ${response.text}`);
  assert.equal(body['code'], code, what);
  const paths = (body['errors'] as { path: string }[]).map((issue) => issue.path);
  assert.ok(paths.includes(path), `${what}: ${path} not in ${JSON.stringify(paths)}`);
}

describe('defect 7: no 500 from NUL characters', () => {
  const NUL = '\u0000';
  const cases: { what: string; send: () => Promise<Response>; path: string }[] = [
    {
      what: 'body string (token name)',
      path: 'body.name',
      send: () =>
        api
          .http()
          .post('/v1/tokens')
          .set('authorization', bearer(api.adminToken))
          .send({ name: `a${NUL}b`, role: 'mes' }),
    },
    {
      what: 'body string (device serial)',
      path: 'body.serial',
      send: () =>
        api
          .http()
          .post('/v1/devices')
          .set('authorization', bearer(mesToken))
          .set('idempotency-key', 'nul-serial-0001')
          .send({ productId: 'sensor-node', serial: `SN${NUL}1` }),
    },
    {
      what: 'body string (device product)',
      path: 'body.productId',
      send: () =>
        api
          .http()
          .post('/v1/devices')
          .set('authorization', bearer(mesToken))
          .set('idempotency-key', 'nul-product-0001')
          .send({ productId: `sensor${NUL}` }),
    },
    {
      what: 'body object key (device inputs)',
      path: 'body.inputs',
      send: () =>
        api
          .http()
          .post('/v1/devices')
          .set('authorization', bearer(mesToken))
          .set('idempotency-key', 'nul-inputs-0001')
          .send({ productId: 'sensor-node', inputs: { [`cal${NUL}`]: 1 } }),
    },
    {
      what: 'layout source',
      path: 'body.source',
      send: () =>
        api
          .http()
          .post('/v1/products/sensor-node/layouts')
          .set('authorization', bearer(api.adminToken))
          .send({ source: `name: a${NUL}\n` }),
    },
    {
      what: 'query string (device serial)',
      path: 'query.serial',
      send: () => api.http().get('/v1/devices?serial=SN%001').set('authorization', bearer(mesToken)),
    },
    {
      what: 'query string (attestation station)',
      path: 'query.stationId',
      send: () => api.http().get('/v1/attestations?stationId=st%00').set('authorization', bearer(auditorToken)),
    },
    {
      what: 'path parameter (product id)',
      path: 'path.id',
      send: () => api.http().get('/v1/products/sensor%00').set('authorization', bearer(mesToken)),
    },
  ];
  for (const { what, path, send } of cases) {
    test(`${what} → 400 VALIDATION_FAILED naming ${path}`, async () => {
      assertFieldRefused(await send(), 400, 'VALIDATION_FAILED', path, what);
    });
  }
});

describe('defect 7: hostile YAML layouts → 422 LAYOUT_INVALID', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]']
    .concat(['b', 'c', 'd', 'e', 'f', 'g'].map((name, i) => `${name}: &${name} [${`*${'abcdef'[i]}, `.repeat(9)}]`))
    .join('\n');
  const layouts = {
    'an alias bomb': bomb,
    'a self-referencing sequence': 'a: &a [*a]\n',
    'a self-referencing mapping': 'name: x\nfields: &f {b: *f}\n',
  };
  for (const [what, source] of Object.entries(layouts)) {
    test(what, async () => {
      const response = await api
        .http()
        .post('/v1/products/sensor-node/layouts')
        .set('authorization', bearer(api.adminToken))
        .send({ source, format: 'yaml' });
      const body = assertClientProblem(response, what);
      assert.equal(response.status, 422, response.text);
      assert.equal(body['code'], 'LAYOUT_INVALID');
    });
  }
});

describe('defect 7: an unparseable date', () => {
  test('/v1/attestations?from=2026-12-06&to=yesterday → 400 naming query.to', async () => {
    const response = await api
      .http()
      .get('/v1/attestations?from=2026-12-06&to=yesterday')
      .set('authorization', bearer(auditorToken));
    assertFieldRefused(response, 400, 'VALIDATION_FAILED', 'query.to', 'bad dates');
    assertFieldRefused(response, 400, 'VALIDATION_FAILED', 'query.from', 'bad dates');
  });
});

describe("defect 7: Fastify's own errors are problem+json", () => {
  const post = (path: string, token: string) => api.http().post(path).set('authorization', bearer(token));
  const cases: { what: string; status: number; send: () => Promise<Response> }[] = [
    {
      what: 'malformed JSON',
      status: 400,
      send: () => post('/v1/devices', mesToken).set('content-type', 'application/json').send('{"productId": '),
    },
    {
      what: 'malformed JSON without a token',
      status: 400,
      send: () => api.http().post('/v1/devices').set('content-type', 'application/json').send('{"a'),
    },
    {
      what: 'an empty JSON body',
      status: 400,
      send: () => post('/v1/tokens', api.adminToken).set('content-type', 'application/json').send(''),
    },
    {
      what: 'a prototype-poisoning JSON body',
      status: 400,
      send: () =>
        post('/v1/tokens', api.adminToken)
          .set('content-type', 'application/json')
          .send('{"name":"x","role":"mes","__proto__":{"admin":true}}'),
    },
    {
      what: 'text/plain (Fastify parses it as a string: the schema refuses it)',
      status: 400,
      send: () => post('/v1/tokens', api.adminToken).set('content-type', 'text/plain').send('hello'),
    },
    {
      what: 'application/xml without a token',
      status: 415,
      send: () => api.http().post('/v1/devices').set('content-type', 'application/xml').send('<a/>'),
    },
    {
      what: 'a body over the limit',
      status: 413,
      send: () =>
        post('/v1/tokens', api.adminToken)
          .set('content-type', 'application/json')
          .send(JSON.stringify({ name: 'x'.repeat(BODY_LIMIT_BYTES * 2), role: 'mes' })),
    },
    {
      what: 'a body over the limit without a token',
      status: 413,
      send: () =>
        api
          .http()
          .post('/v1/devices')
          .set('content-type', 'application/json')
          .send(JSON.stringify({ productId: 'x'.repeat(BODY_LIMIT_BYTES * 2) })),
    },
    {
      what: 'bad percent-encoding in the path',
      status: 400,
      send: () => api.http().get('/v1/products/%E0%A4%A').set('authorization', bearer(mesToken)),
    },
    {
      what: 'an over-long path parameter',
      status: 414,
      send: () =>
        api
          .http()
          .get(`/v1/products/${'a'.repeat(200)}`)
          .set('authorization', bearer(mesToken)),
    },
    {
      what: 'an unknown route',
      status: 404,
      send: () => api.http().get('/v1/nothing-here'),
    },
  ];
  for (const { what, status, send } of cases) {
    test(`${what} → ${status}`, async () => {
      const response = await send();
      assertClientProblem(response, what);
      assert.equal(response.status, status, `${what}: ${response.text}`);
    });
  }

  // Requests Node's HTTP parser refuses never reach Fastify: written on a raw socket.
  const rawRequests = {
    'a header name with a space': 'GET /health/live HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
    'a non-numeric Content-Length': 'POST /v1/tokens HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}',
    'headers over the size limit': `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
  };
  for (const [what, text] of Object.entries(rawRequests)) {
    test(`${what} → a 4xx problem`, async () => {
      const answer = await rawExchange(text);
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]);
      assert.ok(status >= 400 && status < 500, `${what}: ${answer}`);
      assert.match(head, /^content-type: application\/problem\+json/im, answer);
      const problem = JSON.parse(body) as Record<string, unknown>;
      assert.equal(problem['status'], status);
      assert.equal(typeof problem['code'], 'string');
    });
  }
});

/** Writes `text` to the app on a fresh connection; everything it answers until it closes. */
async function rawExchange(text: string): Promise<string> {
  const server = api.app.getHttpServer();
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.write(text);
    setTimeout(() => socket.destroy(), 5_000).unref();
  });
}

describe('defect 4: authentication failures never lock out a valid token', () => {
  test(`after ${MAX_AUTH_FAILURES}+ bad tokens from 127.0.0.1, a valid MES token still gets 200`, async () => {
    for (let attempt = 0; attempt < MAX_AUTH_FAILURES + 2; attempt++) {
      const guess = `ingr_${Buffer.alloc(32, attempt + 1).toString('base64url')}`;
      const response = await api.http().get('/v1/devices').set('authorization', bearer(guess));
      assert.equal(response.status, attempt < MAX_AUTH_FAILURES ? 401 : 429, `attempt ${attempt}`);
    }
    const valid = await api.http().get('/v1/devices').set('authorization', bearer(mesToken));
    assert.equal(valid.status, 200, valid.text);
    const stillLimited = await api.http().get('/v1/devices').set('authorization', bearer('ingr_not-a-token'));
    const body = assertClientProblem(stillLimited, 'a further bad token');
    assert.equal(stillLimited.status, 429);
    assert.equal(body['code'], 'AUTH_RATE_LIMITED');
  });
});
