import { setTimeout as sleep } from 'node:timers/promises';
import { type BootloaderClient, type SyncMode } from '../bootloader/index.js';
import { type FixtureLines } from './fixture-lines.js';

/** Default wait after the entry sequence: AN2606's start-up times are 17–85 ms across our parts. */
export const DEFAULT_BOOT_DELAY_MS = 100;

/** Re-synchronisation rounds of a connect right after a reset (the chip is in no frame). */
export const RESET_RESYNC_ATTEMPTS = 2;

/**
 * Resets the chip into its bootloader through the fixture's entry sequence, waits `bootDelayMs`
 * for the ROM to start, then synchronises `client` (which never synchronised) with a fresh 0x7F,
 * a second one if the first went unanswered (`afterReset`). The one way the station worker and
 * the CLI put a chip into its bootloader.
 * @throws LineDriverError (a line could not be driven), BootloaderSyncFailedError (no bootloader answered).
 */
export async function resetIntoBootloader(
  lines: FixtureLines,
  client: BootloaderClient,
  bootDelayMs: number = DEFAULT_BOOT_DELAY_MS,
): Promise<SyncMode> {
  await lines.enterBootloader();
  await sleep(bootDelayMs);
  return client.connect({ afterReset: true, maxResyncAttempts: RESET_RESYNC_ATTEMPTS });
}
