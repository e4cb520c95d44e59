import { type CycleOutcome } from '#ingrain/otp';

/** Process exit codes of `ingrain-station`, documented in docs/station.md. */
export const EXIT_CODES: Readonly<Record<CycleOutcome | 'usage', number>> = {
  provisioned: 0,
  'already-provisioned': 0,
  planned: 0,
  usage: 2,
  conflict: 3,
  'verify-failed': 4,
  'wrong-device': 5,
  'link-error': 6,
};
