// The running API serves its own contract: GET /openapi.json is, byte for byte, the committed
// openapi/openapi.json, without a token; Swagger UI at /docs loads only assets the API serves itself.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { OPENAPI_JSON_PATH } from '../../apps/api/src/openapi/paths.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';

describe('the served OpenAPI document', () => {
  let api: TestApi;
  let baseUrl: string;

  before(async () => {
    api = await startTestApi();
    await api.app.listen(0, '127.0.0.1');
    baseUrl = await api.app.getUrl();
  });
  after(() => api.close());

  test('GET /openapi.json without a token is the committed openapi/openapi.json, byte for byte', async () => {
    const committed = await readFile(OPENAPI_JSON_PATH, 'utf8');
    for (let request = 0; request < 2; request += 1) {
      const response = await fetch(`${baseUrl}/openapi.json`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      const text = await response.text();
      assert.deepEqual(JSON.parse(text), JSON.parse(committed));
      assert.ok(text === committed, 'the served bytes are the committed file (npm run openapi if stale)');
    }
  });

  test('/docs/openapi.json (Swagger UI) describes the same API', async () => {
    const served: unknown = await (await fetch(`${baseUrl}/docs/openapi.json`)).json();
    assert.deepEqual(served, JSON.parse(await readFile(OPENAPI_JSON_PATH, 'utf8')));
  });

  test('Swagger UI at /docs loads its scripts and styles from the API itself, no CDN', async () => {
    const page = await fetch(`${baseUrl}/docs`);
    assert.equal(page.status, 200);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
    assert.ok(
      assets.some((asset) => asset.endsWith('swagger-ui-bundle.js')),
      'the page loads the bundle',
    );
    assert.ok(
      assets.some((asset) => asset.endsWith('.css')),
      'the page loads a stylesheet',
    );
    for (const asset of assets) {
      assert.doesNotMatch(asset, /^(?:https?:)?\/\//, `${asset} is not served by the API`);
      // Resolved as a browser does against the page at /docs.
      const url = new URL(asset, `${baseUrl}/docs`);
      const response = await fetch(url);
      assert.equal(response.status, 200, `${url.pathname} is served`);
      await response.arrayBuffer();
    }
  });
});
