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
  /** Readout protection is active: final, nothing was read or written (never "run again"). */
  protected: 7,
};

/** Exit code of a library error a command let through (`read`, `doctor`): the outcome it stands for. */
export function exitCodeOfOtpError(code: string): number {
  if (code === 'WRONG_DEVICE') return EXIT_CODES['wrong-device'];
  if (code === 'CHIP_READOUT_PROTECTED') return EXIT_CODES.protected;
  // A fixture line that cannot be driven (no gpioset, no GPIO chip, simulator socket absent): configuration.
  if (code === 'LINE_DRIVER_FAILED') return EXIT_CODES.configuration;
  return EXIT_CODES['link-error'];
}
