// The committed OpenAPI document and generated client types must match the code.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { describe, test } from 'node:test';
import type { OpenAPIObject } from '@nestjs/swagger';
import { renderClientSchema } from '../../apps/api/src/openapi/client-schema.js';
import { generateOpenApiDocument, openApiJson } from '../../apps/api/src/openapi/document-app.js';
import { CLIENT_SCHEMA_PATH, OPENAPI_JSON_PATH, REGENERATE_COMMAND } from '../../apps/api/src/openapi/paths.js';
import { REPO_ROOT } from '../../testkit/paths.js';

async function committed(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '(missing)';
  }
}

function stale(path: string): string {
  return `${relative(REPO_ROOT, path)} is stale: the code changed the API. Run \`${REGENERATE_COMMAND}\` (after a build: node dist/apps/api/src/openapi/write-openapi.js) and commit the result.`;
}

describe('OpenAPI document and client', () => {
  let document: OpenAPIObject;

  test('openapi/openapi.json is what the code generates', async () => {
    document = await generateOpenApiDocument();
    assert.ok(openApiJson(document) === (await committed(OPENAPI_JSON_PATH)), stale(OPENAPI_JSON_PATH));
  });

  test('libs/api-client/src/schema.ts is what openapi-typescript generates from it', async () => {
    const expected = await renderClientSchema(document);
    assert.ok(expected === (await committed(CLIENT_SCHEMA_PATH)), stale(CLIENT_SCHEMA_PATH));
  });

  test('every /v1 operation is documented with its id, bearer security and problem responses', () => {
    for (const [path, item] of Object.entries(document.paths)) {
      if (!path.startsWith('/v1/')) continue;
      for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
        const operation = item[method];
        if (operation === undefined) continue;
        const where = `${method.toUpperCase()} ${path}`;
        assert.match(operation.operationId ?? '', /^[a-z][A-Za-z]+$/, `${where}: operationId`);
        assert.deepEqual(operation.security, [{ bearer: [] }], `${where}: security`);
        for (const status of ['401', '403']) {
          const response = operation.responses[status] as { content?: Record<string, unknown> } | undefined;
          assert.ok(response?.content?.['application/problem+json'], `${where}: ${status} problem response`);
        }
      }
    }
  });
});
