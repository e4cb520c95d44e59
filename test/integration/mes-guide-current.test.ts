// docs/mes-guide.md's error table is the error catalogue's text for every code an MES token can
// receive: the codes the OpenAPI document names on the routes an `mes` token may call, plus the
// HTTP layer's own answers. A new code on those routes, or a changed catalogue entry, fails here.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ERROR_CATALOGUE, type ErrorCode } from '../../apps/api/src/errors/error-catalogue.js';
import { REPO_ROOT } from '../../testkit/paths.js';

const GUIDE = 'docs/mes-guide.md';

/** Answers of the HTTP layer (router, parser, availability) that any route can give. */
const HTTP_LAYER_CODES = [
  'BAD_REQUEST',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'NOT_ACCEPTABLE',
  'REQUEST_TIMEOUT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'URI_TOO_LONG',
  'REQUEST_HEADERS_TOO_LARGE',
  'TOO_MANY_REQUESTS',
  'SERVICE_UNAVAILABLE',
  'DATABASE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;

interface Operation {
  readonly responses?: Record<string, { readonly description?: string }>;
}

/** Codes named in the responses of the /v1 operations whose 403 says an `mes` token is allowed. */
async function mesRouteCodes(): Promise<Set<string>> {
  const document = JSON.parse(await readFile(join(REPO_ROOT, 'openapi', 'openapi.json'), 'utf8')) as {
    paths: Record<string, Record<string, Operation>>;
  };
  const codes = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const operation of Object.values(item)) {
      const responses = operation.responses ?? {};
      const allowed = (responses['403']?.description ?? '').split('allowed roles:')[1] ?? '';
      if (!/\bmes\b/.test(allowed)) continue;
      for (const response of Object.values(responses)) {
        for (const word of (response.description ?? '').match(/\b[A-Z][A-Z0-9_]{3,}\b/g) ?? []) codes.add(word);
      }
    }
  }
  return codes;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** The guide's row of a code: the catalogue's status, meaning and action. */
function expectedRow(code: ErrorCode): string {
  const entry = ERROR_CATALOGUE[code];
  return `| \`${code}\` | ${entry.status} | ${cell(entry.meaning)} | ${cell(entry.action)} |`;
}

describe(GUIDE, () => {
  test('its error table is the catalogue entry of every code an MES can receive', async () => {
    const guide = await readFile(join(REPO_ROOT, GUIDE), 'utf8');
    const rows = new Map<string, string>();
    for (const match of guide.matchAll(/^\| `([A-Z][A-Z0-9_]+)` +\|.*$/gm)) {
      rows.set(match[1] ?? '', match[0].replace(/ {2,}/g, ' ').replace(/ +\|$/, ' |'));
    }
    const required = new Set<string>([...HTTP_LAYER_CODES, ...(await mesRouteCodes())]);
    assert.ok(required.size > HTTP_LAYER_CODES.length, 'the MES routes name codes');
    const missing = [...required].filter((code) => !rows.has(code));
    for (const code of required) {
      assert.ok(code in ERROR_CATALOGUE, `${code} (named in openapi/openapi.json) is in the error catalogue`);
    }
    // The failure message holds the rows to add (in the catalogue's order), ready to paste.
    const toAdd = Object.keys(ERROR_CATALOGUE)
      .filter((code) => missing.includes(code))
      .map((code) => expectedRow(code as ErrorCode));
    assert.deepEqual(toAdd, [], `${GUIDE} lacks rows for codes an MES can receive; add:\n${toAdd.join('\n')}`);
    for (const [code, row] of rows) {
      const entry = ERROR_CATALOGUE[code as ErrorCode] as (typeof ERROR_CATALOGUE)[ErrorCode] | undefined;
      assert.ok(entry, `${GUIDE} lists ${code}, which the error catalogue does not have`);
      assert.equal(row, expectedRow(code as ErrorCode));
    }
  });
});
