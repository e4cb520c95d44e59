import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createIngrainClient, expectData, IngrainApiError } from './index.js';

const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
let server: Server;
let baseUrl: string;

before(async () => {
  server = createServer((request, response) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    if (request.url === '/v1/tokens' && request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tokens: [] }));
      return;
    }
    const problem = {
      type: 'urn:ingrain:problem:ROLE_FORBIDDEN',
      title: 'Forbidden',
      status: 403,
      detail: "a 'mes' token may not call this endpoint",
      code: 'ROLE_FORBIDDEN',
      errors: [],
      correlationId: 'c-1',
    };
    response.writeHead(403, { 'content-type': 'application/problem+json' }).end(JSON.stringify(problem));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('createIngrainClient', () => {
  test('sends the bearer token to the base URL and returns typed data', async () => {
    const client = createIngrainClient({ baseUrl, token: 'ingr_test' });
    const tokens = expectData(await client.GET('/v1/tokens'));
    assert.deepEqual(tokens, { tokens: [] });
    const request = seen.at(-1);
    assert.equal(request?.url, '/v1/tokens');
    assert.equal(request?.headers.authorization, 'Bearer ingr_test');
  });

  test('expectData throws the problem of an error response', async () => {
    const client = createIngrainClient({ baseUrl });
    const result = await client.DELETE('/v1/tokens/{id}', {
      params: { path: { id: '00000000-0000-4000-8000-000000000000' } },
    });
    assert.equal(seen.at(-1)?.headers.authorization, undefined);
    assert.throws(
      () => expectData(result),
      (error: unknown) =>
        error instanceof IngrainApiError &&
        error.status === 403 &&
        error.code === 'ROLE_FORBIDDEN' &&
        /c-1/.test(error.message),
    );
  });
});
