// The committed docs/errors.md must list the API's error catalogue as the code declares it.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ERROR_CATALOGUE } from '../../apps/api/src/errors/error-catalogue.js';
import { ERRORS_DOC, ERRORS_DOC_COMMAND, withErrorCatalogue } from '../../apps/api/src/errors/errors-doc.js';
import { REPO_ROOT } from '../../testkit/paths.js';

const read = (path: string): Promise<string> => readFile(join(REPO_ROOT, path), 'utf8');

describe('docs/errors.md', () => {
  test('its REST API table is what the error catalogue generates', async () => {
    const committed = await read(ERRORS_DOC);
    assert.ok(
      withErrorCatalogue(committed) === committed,
      `${ERRORS_DOC} is stale: the error catalogue changed. Run \`${ERRORS_DOC_COMMAND}\` (after a build: node dist/apps/api/src/errors/write-errors-doc.js) and commit the result.`,
    );
    for (const code of Object.keys(ERROR_CATALOGUE)) assert.ok(committed.includes(`| \`${code}\``), code);
  });

  test('the API docs link to it instead of keeping their own lists of codes', async () => {
    for (const doc of ['docs/api.md', 'docs/api-domain.md']) {
      const text = await read(doc);
      assert.ok(text.includes('errors.md'), `${doc} links to docs/errors.md`);
      assert.doesNotMatch(text, /^\| `[A-Z_]+`\s+\| [45]\d\d\s+\|/m, `${doc} lists codes with statuses of its own`);
    }
  });
});
