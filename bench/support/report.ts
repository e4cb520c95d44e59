import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { REPO_ROOT } from '../../test/support/paths.js';

/** A benchmark table: header cells and rows of cells, already formatted. */
export interface BenchTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** Renders a table as GitHub-flavoured Markdown. */
export function renderMarkdownTable(table: BenchTable): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(table.columns), line(table.columns.map(() => '---')), ...table.rows.map(line)].join('\n');
}

/** Renders a table for a terminal, columns padded to their widest cell. */
export function renderTextTable(table: BenchTable): string {
  const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [line(table.columns), line(widths.map((w) => '-'.repeat(w))), ...table.rows.map(line)].join('\n');
}

/** One line describing the machine a benchmark ran on (results are only comparable within a run). */
export function machineSummary(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/**
 * Replaces the section `name` of docs/benchmarks.md (between its BEGIN/END markers, appended when
 * absent) with `markdown`, so every `npm run bench:*` records its latest table.
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
}
