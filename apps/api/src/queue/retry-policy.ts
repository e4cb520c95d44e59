import { FINAL_DEVICE_STATES, type DeviceState } from '#ingrain/contracts';

/** Whether a failed job may run again, and what that means (docs/console.md, "Queue"). */
export interface RetryDecision {
  readonly retryable: boolean;
  readonly retry: string;
}

/** What a retry means for each failure code the station reports (apps/station job-failure.ts). */
const MEANING: Readonly<Record<string, string>> = {
  STATION_CHIP_LINK_ERROR:
    'the link kept failing: the job runs again and resumes on the chip bound to the identity (re-seat it in its fixture first)',
  STATION_IDENTITY_BOUND_ELSEWHERE:
    'the identity is bound to a chip in another fixture: the job runs again and finds it',
  STATION_CHIP_SWAPPED: 'the chip was swapped mid-job and nothing was written: the job runs again',
  STATION_SECRETS_UNOPENED:
    "the claim's secrets did not open with the station's key: register the station's right key first, then retry",
  STATION_REPORT_REJECTED: 'the API refused the report: fix its cause (see the spool) first, then retry',
  STATION_API_REJECTED: 'the API refused a request: fix its cause first, then retry',
};

/** The failure code at the start of a failed reason (`STATION_CHIP_LINK_ERROR: …`); null when none. */
export function reasonCode(failedReason: string | null): string | null {
  return /^([A-Z][A-Z0-9_]+):/.exec(failedReason ?? '')?.[1] ?? null;
}

/**
 * The retry rule: only a failed job of a device that has no final outcome yet runs again (its
 * claim and the cycle's reads make every step safe to repeat). A final outcome is never retried:
 * a conflict, a protected or wrong chip, a failed verification quarantine the device (the Devices
 * page releases or scraps it), and a provisioned or scrapped device is done.
 */
export function decideRetry(
  jobState: string,
  deviceState: DeviceState | null,
  failedReason: string | null,
): RetryDecision {
  if (deviceState === null) return { retryable: false, retry: 'no device with this id: nothing to provision' };
  if (FINAL_DEVICE_STATES.has(deviceState)) {
    const why =
      deviceState === 'quarantined'
        ? 'the device is quarantined (a final chip outcome: conflict, protected or wrong chip, failed verification): release or scrap it on the Devices page'
        : `the device is ${deviceState}: a final outcome`;
    return { retryable: false, retry: `not retried: ${why}` };
  }
  if (jobState !== 'failed') return { retryable: false, retry: `not retried: the job is ${jobState}, not failed` };
  const code = reasonCode(failedReason);
  const meaning = code === null ? undefined : MEANING[code];
  return {
    retryable: true,
    retry: meaning ?? 'the job runs again from its first step; each step is safe to repeat',
  };
}
