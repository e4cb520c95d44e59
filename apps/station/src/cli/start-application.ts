import { type BootloaderClient, type CycleOutcome, FLASH_BASE_ADDRESS, type FixtureLines } from '#ingrain/otp';
import { type StartHow } from './lines-args.js';

/** What `program` did about the chip's application afterwards (in `--json` as `applicationStart`). */
export interface ApplicationStart {
  readonly how: 'exit' | 'go';
  readonly started: boolean;
  /** Why it was not started: the outcome is not final-good, or the start failed (code and message). */
  readonly reason: string | null;
}

/** Outcomes after which a chip is verified and locked: the only ones whose application is started. */
const STARTABLE: ReadonlySet<CycleOutcome> = new Set(['provisioned', 'already-provisioned']);

/**
 * Starts a provisioned chip's application with the exit sequence or Go (AN3155 §3.5) to main
 * flash, only after a verified, locked chip (`provisioned`, `already-provisioned`). Any other
 * outcome (conflict, verify-failed, planned, link-error, …) leaves the chip in its bootloader, for
 * the operator to quarantine or retry. A failed start does not change the outcome (it is final);
 * it is reported. Undefined when nothing was asked (`none`).
 */
export async function startApplication(
  how: StartHow,
  outcome: CycleOutcome,
  client: BootloaderClient,
  lines: FixtureLines | undefined,
): Promise<ApplicationStart | undefined> {
  if (how === 'none') return undefined;
  if (!STARTABLE.has(outcome))
    return { how, started: false, reason: `outcome ${outcome}: the chip is left in its bootloader` };
  try {
    if (how === 'exit') {
      if (lines === undefined) throw new Error('no exit sequence'); // args refuse it; a programming error
      await lines.exitBootloader();
    } else {
      await client.connect();
      await client.go(FLASH_BASE_ADDRESS);
    }
    return { how, started: true, reason: null };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { how, started: false, reason: `${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message}` };
  }
}

/** The human line for a start (`program` without `--json`). */
export function renderApplicationStart(start: ApplicationStart): string {
  const by = start.how === 'exit' ? 'exit sequence' : 'Go to main flash';
  return start.started ? `application started (${by})` : `application not started (${by}): ${start.reason ?? ''}`;
}
