// Test support (not exported): small layout documents and an issue matcher.
import assert from 'node:assert/strict';
import { LayoutValidationError, type ValidationIssue } from '../errors.js';
import { validateLayout } from '../validate-layout.js';

/** A layout document for `family` with the given fields and extra top-level keys. */
export function layoutDoc(fields: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'test-layout', version: 1, family: 'stm32f4', fields, ...extra };
}

/** Every issue validateLayout reports for `raw` (fails if it validates). */
export function issuesOf(raw: unknown): readonly ValidationIssue[] {
  try {
    validateLayout(raw);
  } catch (error) {
    assert.ok(error instanceof LayoutValidationError, `expected LayoutValidationError, got ${String(error)}`);
    assert.equal(error.code, 'LAYOUT_INVALID');
    return error.issues;
  }
  assert.fail('layout validated although it should not');
}

/** Asserts an issue at `path` whose message contains every fragment (field names, reasons). */
export function assertIssue(raw: unknown, path: string, ...fragments: string[]): void {
  const issues = issuesOf(raw);
  const atPath = issues.filter((issue) => issue.path === path);
  assert.ok(atPath.length > 0, `no issue at ${path}; got ${JSON.stringify(issues)}`);
  const match = atPath.find((issue) => fragments.every((f) => issue.message.includes(f)));
  assert.ok(match, `no issue at ${path} mentions ${JSON.stringify(fragments)}; got ${JSON.stringify(atPath)}`);
}
