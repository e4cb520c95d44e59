// Defects `npm run fuzz` found, each replayed against the real API over a loopback socket.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { seedCatalogRows } from '../../testkit/catalog-rows.js';
import { sendRaw } from '../../testkit/raw-http.js';

let api: TestApi;
let port: number;

before(async () => {
  api = await startTestApi();
  await api.app.listen(0, '127.0.0.1');
  port = (api.app.getHttpServer().address() as AddressInfo).port;
});

after(async () => {
  await api?.close();
});

void describe('fuzz findings', () => {
  // Fuzz seed 3: `CONNECT 127.0.0.1:22` got the connection closed without a word (Node's server
  // drops a CONNECT nobody listens for). The API is not a proxy: it says so, as a problem.
  test('CONNECT is answered 405 METHOD_NOT_ALLOWED as problem+json, not a silent close', async () => {
    const answer = await sendRaw(port, 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n', 5_000);
    assert.ok('status' in answer, `no answer: ${JSON.stringify(answer)}`);
    assert.equal(answer.status, 405);
    assert.match(answer.contentType, /^application\/problem\+json/);
    const problem = JSON.parse(answer.body) as Record<string, unknown>;
    assert.equal(problem['code'], 'METHOD_NOT_ALLOWED');
    assert.equal(problem['status'], 405);
  });
});

void describe('fuzz findings: numbers JSON can write but a double cannot hold', () => {
  // Fuzz seed 5, request #4131: `"temp_coeff_ppm": 1e400` (JSON.parse makes it Infinity) in a
  // device request's inputs → 500 INTERNAL_ERROR (the idempotency hash's canonical JSON threw).
  test('an input of 1e400 is refused as 400 VALIDATION_FAILED naming the field, not a 500', async () => {
    const catalog = await seedCatalogRows(api.database.kysely, { quantity: 10 });
    const mes = await api.createToken('mes', 'fuzz-regression-mes');
    const body = JSON.stringify({ workOrderId: catalog.workOrderId, inputs: { ...catalog.inputs, temp_coeff_ppm: 0 } });
    for (const number of ['1e400', '-1e400']) {
      const response = await api
        .http()
        .post('/v1/devices')
        .set('Authorization', `Bearer ${mes}`)
        .set('Idempotency-Key', randomUUID())
        .set('Content-Type', 'application/json')
        .send(body.replace('"temp_coeff_ppm":0', `"temp_coeff_ppm":${number}`));
      assert.equal(response.status, 400, response.text);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      const problem = response.body as { code: string; errors: { path: string }[] };
      assert.equal(problem.code, 'VALIDATION_FAILED');
      assert.deepEqual(
        problem.errors.map((issue) => issue.path),
        ['body.inputs.temp_coeff_ppm'],
        response.text,
      );
    }
  });
});
