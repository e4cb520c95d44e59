#!/usr/bin/env node
// Builds the web console (apps/console) into dist/console/, which the API serves (docs/console.md):
// index.html, assets/main-<hash>.js (src/main.ts bundled and minified by esbuild: Preact, htm and the
// pages, nothing fetched from elsewhere) and assets/console-<hash>.css. Content hashes in the names:
// the assets are cached forever, index.html never. No inline script or style (the CSP forbids them).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'apps/console');
const out = join(root, 'dist/console');

function hashed(name, extension, content) {
  return `${name}-${createHash('sha256').update(content).digest('hex').slice(0, 16)}.${extension}`;
}

const result = await build({
  entryPoints: [join(source, 'src/main.ts')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  platform: 'browser',
  write: false,
  legalComments: 'none',
  conditions: ['ingrain-source'],
  tsconfig: join(source, 'tsconfig.json'),
  logLevel: 'warning',
});
const [bundle] = result.outputFiles;
if (bundle === undefined) throw new Error('esbuild produced no output');
const css = await readFile(join(source, 'static/console.css'));
const jsName = hashed('main', 'js', bundle.contents);
const cssName = hashed('console', 'css', css);
const html = (await readFile(join(source, 'static/index.html'), 'utf8'))
  .replace('%JS%', jsName)
  .replace('%CSS%', cssName);

await rm(out, { recursive: true, force: true });
await mkdir(join(out, 'assets'), { recursive: true });
await writeFile(join(out, 'assets', jsName), bundle.contents);
await writeFile(join(out, 'assets', cssName), css);
await writeFile(join(out, 'index.html'), html);
process.stderr.write(`[build-console] dist/console: ${jsName} (${bundle.contents.length} bytes), ${cssName}\n`);
