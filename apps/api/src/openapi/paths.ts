import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nest-cli.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root (nest-cli.json) not found');
    dir = parent;
  }
  return dir;
}

const root = repositoryRoot();

/** The committed OpenAPI document. */
export const OPENAPI_JSON_PATH = join(root, 'openapi', 'openapi.json');
/** The committed client types generated from it. */
export const CLIENT_SCHEMA_PATH = join(root, 'libs', 'api-client', 'src', 'schema.ts');
/** What a developer runs when the committed files are stale. */
export const REGENERATE_COMMAND = 'npm run openapi';
