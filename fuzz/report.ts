// The printed result: counts by status, by operation, then every failure with what reproduces it.
import { renderTextTable } from '../testkit/tables.js';
import type { RunResult } from './runner.js';

const MAX_SHOWN_BODY = 200;

function shown(text: string, limit: number): string {
  const flat = JSON.stringify(text.length > limit ? `${text.slice(0, limit)}…(${text.length} chars)` : text);
  return flat.slice(1, -1);
}

export function renderReport(result: RunResult, seed: number): string {
  const lines: string[] = [];
  const perSecond = result.durationMs === 0 ? 0 : Math.round((result.requests * 1000) / result.durationMs);
  lines.push(
    `fuzz: seed ${seed}, ${result.requests} requests in ${(result.durationMs / 1000).toFixed(1)} s (${perSecond}/s)`,
  );
  const statuses = [...result.byStatus.entries()].sort(([a], [b]) => a.localeCompare(b));
  lines.push(
    renderTextTable({ columns: ['status', 'answers'], rows: statuses.map(([status, n]) => [status, String(n)]) }),
  );
  const classes = ['2xx', '3xx', '4xx', '5xx', 'none'];
  const operations = [...result.byOperation.entries()].sort(([a], [b]) => a.localeCompare(b));
  lines.push(
    renderTextTable({
      columns: ['operation', ...classes],
      rows: operations.map(([operation, counts]) => [operation, ...classes.map((c) => String(counts.get(c) ?? 0))]),
    }),
  );
  const byKind = new Map<string, number>();
  for (const failure of result.failures) byKind.set(failure.finding.kind, (byKind.get(failure.finding.kind) ?? 0) + 1);
  lines.push(
    result.failures.length === 0
      ? 'fuzz: no 5xx, every 4xx a problem+json, every 2xx as documented'
      : `fuzz: ${result.failures.length} FAILURES (${[...byKind].map(([kind, n]) => `${kind} ${n}`).join(', ')})`,
  );
  for (const { request, finding } of result.failures) {
    const body = request.body === undefined ? '' : ` body=${shown(request.body.toString('utf8'), MAX_SHOWN_BODY)}`;
    lines.push(
      `  #${request.index} ${finding.kind}: ${request.method} ${shown(request.target, 300)} as ${request.credential} [${request.kind}]${body}`,
      `      → ${shown(finding.reason, 400)}`,
    );
  }
  lines.push(`fuzz: replay with: npm run fuzz -- --seed ${seed} --requests ${result.requests}`);
  return lines.join('\n');
}
