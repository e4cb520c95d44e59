import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderJson, renderText, type VerificationReport } from './report.js';

const good = {
  ok: true,
  checks: [
    { check: 'bundle', status: 'passed', detail: 'format ingrain.verification-bundle.v1' },
    { check: 'log-inclusion', status: 'passed', detail: 'attestation is leaf 3 of the tree of size 9' },
  ],
} as const;
const bad = {
  ok: false,
  checks: [
    { check: 'bundle', status: 'passed', detail: 'format ingrain.verification-bundle.v1' },
    { check: 'checkpoint', status: 'failed', code: 'LOG_CHECKPOINT_UNSIGNED', detail: 'no signature by key' },
    { check: 'log-inclusion', status: 'not-checked', code: 'VERIFY_NOT_CHECKED', detail: 'not checked: x' },
  ],
} as const;

void describe('verifier report rendering', () => {
  void test('one bundle: one ✓/✗ line per check with its code, then the verdict', () => {
    const report: VerificationReport = {
      summary: { total: 1, passed: 0, failed: 1 },
      bundles: [{ source: 'b.json', result: bad }],
      listed: 'all',
    };
    assert.equal(
      renderText(report),
      [
        'bundle b.json',
        '✓ bundle: format ingrain.verification-bundle.v1',
        '✗ checkpoint: no signature by key [LOG_CHECKPOINT_UNSIGNED]',
        '✗ log-inclusion: not checked: x [VERIFY_NOT_CHECKED]',
        'NOT VERIFIED: 2 check(s) did not pass',
        '',
      ].join('\n'),
    );
  });

  void test('many bundles: a line per bundle, failing checks indented, a summary', () => {
    const report: VerificationReport = {
      summary: { total: 2, passed: 1, failed: 1 },
      bundles: [
        { source: 'all.jsonl:1', result: good },
        { source: 'all.jsonl:2', result: bad },
      ],
      listed: 'all',
    };
    const text = renderText(report);
    assert.match(text, /^✓ all\.jsonl:1\n✗ all\.jsonl:2\n {4}✗ checkpoint: /);
    assert.match(text, /NOT VERIFIED: 2 bundle\(s\), 1 passed, 1 failed\n$/);
  });

  void test('JSON: ok only when nothing failed; every listed bundle with its checks', () => {
    const report: VerificationReport = {
      summary: { total: 1, passed: 1, failed: 0 },
      bundles: [{ source: 'b.json', result: good }],
      listed: 'all',
    };
    const json = JSON.parse(renderJson(report)) as { ok: boolean; bundles: { source: string; checks: unknown[] }[] };
    assert.equal(json.ok, true);
    assert.equal(json.bundles[0]?.source, 'b.json');
    assert.equal(json.bundles[0]?.checks.length, 2);
  });
});
