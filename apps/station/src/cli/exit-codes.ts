import { type CycleOutcome } from '#ingrain/otp';

/** Process exit codes of `ingrain-station`, documented in docs/station.md. */
export const EXIT_CODES: Readonly<Record<CycleOutcome | 'usage' | 'configuration', number>> = {
  provisioned: 0,
  'already-provisioned': 0,
  planned: 0,
  usage: 2,
  conflict: 3,
  'verify-failed': 4,
  'wrong-device': 5,
  'link-error': 6,
  /** The serial port cannot be opened (no such port, permission, busy): fix the station, do not retry. */
  configuration: 8,
};
