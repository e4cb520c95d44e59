/** Exit codes of ingrain-witness (docs/witness.md "Exit codes"). */
export const EXIT_OK = 0;
/** The witness could not start or stopped on a failure: unreadable key or state, port in use. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export type WitnessCliErrorCode =
  | 'WITNESS_USAGE'
  | 'WITNESS_KEY_FILE_EXISTS'
  | 'WITNESS_KEY_FILE_INVALID'
  | 'WITNESS_STATE_INVALID'
  | 'WITNESS_LISTEN_FAILED';

/** A failure of the ingrain-witness command line; WITNESS_USAGE exits 2, the others 1. */
export class WitnessCliError extends Error {
  constructor(
    readonly code: WitnessCliErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WitnessCliError';
  }
}
