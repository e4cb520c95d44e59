import type { BatchVerificationSummary, BundleVerification, CheckResult } from '#ingrain/crypto';

/** The result of one bundle as reported (source = file or file:line). */
export interface ReportedBundle {
  readonly source: string;
  readonly result: BundleVerification;
}

/** What a run established, ready to render as text or JSON. */
export interface VerificationReport {
  readonly summary: Pick<BatchVerificationSummary, 'total' | 'passed' | 'failed'>;
  /** Every bundle when the batch was small; otherwise only failures (see `listed`). */
  readonly bundles: readonly ReportedBundle[];
  readonly listed: 'all' | 'failures';
}

const MARK = { passed: '✓', failed: '✗', 'not-checked': '✗' } as const;

function checkLine(check: CheckResult, indent: string): string {
  const code = check.code === undefined ? '' : ` [${check.code}]`;
  return `${indent}${MARK[check.status]} ${check.check}: ${check.detail}${code}`;
}

/** Human report: one line per check (✓/✗ and reason), then a verdict line. */
export function renderText(report: VerificationReport): string {
  const lines: string[] = [];
  const single = report.summary.total === 1 && report.bundles.length === 1;
  for (const { source, result } of report.bundles) {
    if (single) {
      lines.push(`bundle ${source}`, ...result.checks.map((c) => checkLine(c, '')));
      continue;
    }
    lines.push(`${result.ok ? '✓' : '✗'} ${source}`);
    if (!result.ok) lines.push(...result.checks.filter((c) => c.status !== 'passed').map((c) => checkLine(c, '    ')));
  }
  const { total, passed, failed } = report.summary;
  if (single) {
    const bad = report.bundles[0]?.result.checks.filter((c) => c.status !== 'passed').length ?? 0;
    lines.push(bad === 0 ? 'VERIFIED: every check passed' : `NOT VERIFIED: ${bad} check(s) did not pass`);
  } else {
    if (report.listed === 'failures' && failed > report.bundles.length) {
      lines.push(`… ${failed - report.bundles.length} more failing bundle(s) not listed`);
    }
    lines.push(`${failed === 0 ? 'VERIFIED' : 'NOT VERIFIED'}: ${total} bundle(s), ${passed} passed, ${failed} failed`);
  }
  return `${lines.join('\n')}\n`;
}

/** Machine report (docs/verifier.md "JSON output"). */
export function renderJson(report: VerificationReport): string {
  const body = {
    ok: report.summary.failed === 0 && report.summary.total > 0,
    ...report.summary,
    listed: report.listed,
    bundles: report.bundles.map(({ source, result }) => ({ source, ...result })),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
