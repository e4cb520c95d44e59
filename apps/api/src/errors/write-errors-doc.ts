// `npm run docs:errors` (after a build): rewrites the generated table of docs/errors.md from the
// error catalogue. Run it from the repository root.
import { readFile, writeFile } from 'node:fs/promises';
import { ERRORS_DOC, withErrorCatalogue } from './errors-doc.js';

const current = await readFile(ERRORS_DOC, 'utf8');
const next = withErrorCatalogue(current);
if (next !== current) await writeFile(ERRORS_DOC, next, 'utf8');
process.stdout.write(`${next === current ? 'unchanged' : 'wrote'} ${ERRORS_DOC}\n`);
