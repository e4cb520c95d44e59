import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { REPO_ROOT } from '../../testkit/paths.js';

/** One line describing the machine a benchmark ran on (results are only comparable within a run). */
export function machineSummary(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/**
 * Replaces the section `name` of docs/benchmarks.md (between its BEGIN/END markers, appended when
 * absent) with `markdown`, so every `npm run bench:*` records its latest table, then formats the
 * file with the repository's Prettier (tables padded), so that the format check passes.
 */
export function recordBenchmarkSection(name: string, markdown: string): void {
  const path = join(REPO_ROOT, 'docs', 'benchmarks.md');
  const begin = `<!-- BEGIN bench:${name} -->`;
  const end = `<!-- END bench:${name} -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  let doc = readFileSync(path, 'utf8');
  const start = doc.indexOf(begin);
  const stop = doc.indexOf(end);
  doc =
    start >= 0 && stop > start
      ? doc.slice(0, start) + block + doc.slice(stop + end.length)
      : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, doc);
  execFileSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--write', path],
    {
      cwd: REPO_ROOT,
      stdio: 'ignore',
    },
  );
}
