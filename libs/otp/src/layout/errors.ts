import { OtpError } from '../errors.js';

/** One problem found while validating a layout or per-device values. Never contains a value. */
export interface ValidationIssue {
  /** Where: `fields[2].length`, `lock[0]`, `version` for layouts; the field name for values. */
  readonly path: string;
  /** Why, naming the field. */
  readonly message: string;
}

function summary(title: string, issues: readonly ValidationIssue[]): string {
  const lines = issues.map((issue) => `- ${issue.path === '' ? '(document)' : issue.path}: ${issue.message}`);
  return `${title} (${issues.length} issue${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}

/**
 * A layout document is malformed or inconsistent. Code `LAYOUT_INVALID`. `issues` lists every
 * problem found (not only the first); fix them all in the layout file and load it again.
 */
export class LayoutValidationError extends OtpError {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    super('LAYOUT_INVALID', summary('layout is invalid', issues), options);
    this.issues = Object.freeze([...issues]);
  }
}

/**
 * Per-device values do not match the layout. Code `VALUES_INVALID`. `issues` lists every problem;
 * messages name the field and never echo a value (values may be secret).
 */
export class ValuesValidationError extends OtpError {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[]) {
    super('VALUES_INVALID', summary('device values are invalid', issues));
    this.issues = Object.freeze([...issues]);
  }
}
