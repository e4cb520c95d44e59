/** Where the CLI writes (process streams in main.ts, buffers in tests). */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
}

/** Exit codes of ingrain-verify (docs/verifier.md). */
export const EXIT_OK = 0;
export const EXIT_VERIFICATION_FAILED = 1;
export const EXIT_USAGE = 2;

/** A usage or input problem that stops the CLI before any verification (exit code 2). */
export class VerifierCliError extends Error {
  constructor(
    readonly code: 'VERIFY_USAGE' | 'VERIFY_INPUT_UNREADABLE' | 'VERIFY_TRUST_INVALID',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'VerifierCliError';
  }
}
