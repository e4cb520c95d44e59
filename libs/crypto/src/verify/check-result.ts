/** The checks a bundle verification can run, in report order. */
export const VERIFICATION_CHECKS = [
  'bundle',
  'attestation-signature',
  'certificate-chain',
  'certificate-binding',
  'chip-binding',
  'checkpoint',
  'log-inclusion',
  'log-consistency',
  'device-read',
] as const;

export type VerificationCheck = (typeof VERIFICATION_CHECKS)[number];

/** `not-checked`: a check this one depends on failed, so it could not run (counts as failure). */
export type CheckStatus = 'passed' | 'failed' | 'not-checked';

/** One line of a verification report. */
export interface CheckResult {
  readonly check: VerificationCheck;
  readonly status: CheckStatus;
  /** Stable error code when the check did not pass. */
  readonly code?: string;
  /** What was established, or why not. Never contains key material or secret values. */
  readonly detail: string;
}

export const passed = (check: VerificationCheck, detail: string): CheckResult => ({ check, status: 'passed', detail });

export const notChecked = (check: VerificationCheck, because: string): CheckResult => ({
  check,
  status: 'not-checked',
  code: 'VERIFY_NOT_CHECKED',
  detail: `not checked: ${because}`,
});

/** A failed check from a thrown error: keeps its `code` and message (library messages are safe). */
export function failed(check: VerificationCheck, error: unknown): CheckResult {
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : 'VERIFY_UNEXPECTED_ERROR';
  const detail = error instanceof Error ? error.message : 'unexpected failure';
  return { check, status: 'failed', code, detail };
}
