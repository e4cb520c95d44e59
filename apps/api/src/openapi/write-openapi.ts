// `npm run openapi`: regenerates openapi/openapi.json and libs/api-client/src/schema.ts from the code.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { renderClientSchema } from './client-schema.js';
import { generateOpenApiDocument, openApiJson } from './document-app.js';
import { CLIENT_SCHEMA_PATH, OPENAPI_JSON_PATH } from './paths.js';

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text, 'utf8');
  process.stdout.write(`wrote ${relative(process.cwd(), path)}\n`);
}

const document = await generateOpenApiDocument();
await write(OPENAPI_JSON_PATH, openApiJson(document));
await write(CLIENT_SCHEMA_PATH, await renderClientSchema(document));
