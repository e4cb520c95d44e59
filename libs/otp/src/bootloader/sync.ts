import { ACK, NACK, RESYNC_BYTE, SYNC_BYTE } from './an3155.js';
import { getVersionCommand } from './commands/get-version.js';
import { BootloaderError, BootloaderNackError, BootloaderSyncFailedError } from './errors.js';
import { type BootloaderLink } from './link.js';

/** How `connect()` found the device. */
export type SyncMode =
  /** The device answered 0x7F with ACK: it had just started and measured the baud rate. */
  | 'fresh'
  /**
   * The device was already synchronised, confirmed by Get Version: the client's own previous
   * exchange completed cleanly (no 0x7F sent), or the 0x7F completed a command pair (NACK).
   */
  | 'already-synchronised'
  /** The device was in an unknown state (mid-command, garbage) and was brought back. */
  | 'resynchronised';

/** Largest 0xFF burst: 258 bytes (N + 256 data + checksum) end any pending frame within a few rounds. */
const MAX_BURST_BYTES = 64;

/**
 * Sends 0x7F and classifies the answer. ACK → fresh. Otherwise re-synchronises, in at most
 * `maxResyncAttempts` rounds. A second 0x7F is sent only when `afterReset` says the caller has just
 * reset the device into its bootloader and the first got no answer (a bootloader that started late
 * missed it, as stm32flash allows for): a device of unknown state could be inside a Write Memory
 * data block, where a 0x7F could be programmed; a device just out of reset is inside no frame.
 */
export async function synchronise(
  link: BootloaderLink,
  maxResyncAttempts: number,
  afterReset = false,
): Promise<SyncMode> {
  link.discardInput();
  await link.send(Uint8Array.of(SYNC_BYTE), 'sync', undefined);
  let reply = await link.receiveByteOrNothing(link.timing.replyTimeoutMs(2), 'sync');
  if (reply === undefined && afterReset) {
    await link.send(Uint8Array.of(SYNC_BYTE), 'sync', undefined);
    reply = await link.receiveByteOrNothing(link.timing.replyTimeoutMs(2), 'sync');
    if (reply === ACK) {
      // Which 0x7F did it answer? If the first one, late, the second is now half a command: an ACK
      // here is settled by re-synchronising (0xFF only) and Get Version, never trusted alone.
      await resynchronise(link, false, maxResyncAttempts);
      return 'resynchronised';
    }
  }
  if (reply === ACK) return 'fresh';
  // NACK: the 0x7F completed a command pair of a device already in sync (docs/hardware.md §link). Anything
  // else (silence: 0x7F is now half a command, or garbage) needs the full procedure.
  await resynchronise(link, reply === NACK, maxResyncAttempts);
  return reply === NACK ? 'already-synchronised' : 'resynchronised';
}

/**
 * For a device this link's last exchange left waiting for a command: Get Version confirms it,
 * without any 0x7F (after sync a 0x7F is an opcode byte: AN3155 §2, docs/hardware.md §link). `01 FE` cannot
 * land inside a frame for the same reason as the confirm after a NACK: a completed command leaves
 * the ROM waiting for a new one. A failed confirm falls back to re-synchronisation (0xFF only).
 */
export async function reconfirm(link: BootloaderLink, maxResyncAttempts: number): Promise<SyncMode> {
  link.discardInput();
  const failure = await confirmSynchronised(link);
  if (failure === undefined) return 'already-synchronised';
  await resynchronise(link, failure instanceof BootloaderNackError, maxResyncAttempts);
  return 'resynchronised';
}

/**
 * Brings a device in an unknown protocol state back to "waiting for a command", then confirms with
 * Get Version. Sends only 0xFF (see RESYNC_BYTE), in growing bursts while the device stays silent,
 * and confirms only after the line went quiet on a NACK: after a NACK the ROM always waits for a
 * new command, so the confirming `01 FE` can never land inside an address or data frame.
 * Throws `BootloaderSyncFailedError` after `maxResyncAttempts` rounds (default: the link's timing).
 */
export async function resynchronise(
  link: BootloaderLink,
  lastWasNack: boolean,
  maxResyncAttempts = link.timing.maxResyncAttempts,
): Promise<void> {
  const quietMs = link.timing.replyMarginMs;
  let inCommandState = lastWasNack;
  let quiet = false; // whether the line is known to be quiet since the last NACK
  let burstBytes = 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < maxResyncAttempts; attempt += 1) {
    if (inCommandState) {
      if (!quiet) await link.drainUntilQuiet(quietMs);
      lastError = await confirmSynchronised(link);
      if (lastError === undefined) return;
      burstBytes = 1; // a failed confirm leaves at most one byte pending: one 0xFF completes it
    }
    link.discardInput();
    await link.send(new Uint8Array(burstBytes).fill(RESYNC_BYTE), 'sync', undefined);
    const last = await link.drainUntilQuiet(quietMs + Math.ceil(burstBytes * link.timing.byteTimeMs * 1.5));
    inCommandState = last === NACK;
    quiet = true;
    burstBytes = last === undefined ? Math.min(burstBytes * 2, MAX_BURST_BYTES) : 1;
  }
  throw new BootloaderSyncFailedError(`no confirmed answer after ${maxResyncAttempts} rounds`, {
    cause: lastError,
  });
}

/** Get Version as a probe: undefined when it succeeds, the protocol error when it does not. */
async function confirmSynchronised(link: BootloaderLink): Promise<BootloaderError | undefined> {
  try {
    await getVersionCommand(link);
    return undefined;
  } catch (error) {
    if (error instanceof BootloaderError && error.code !== 'BOOTLOADER_LINK_LOST') return error;
    throw error;
  }
}
