import { Opcode } from '../an3155.js';
import { type BootloaderLink } from '../link.js';
import { sendCommand } from './send-command.js';

/**
 * Bound on the option-byte programming before the second ACK. RM0090 gives no figure for the
 * option bytes (an erase-and-program of one word); a second is far above any part's. [unconfirmed]
 */
const OPTION_BYTES_PROGRAM_MS = 1_000;

/**
 * Readout Protect (0x82), AN3155 §3.11: H `82 7D` → D `79` (command accepted), the ROM sets RDP
 * level 1 in the option bytes → D `79`, then a system reset: the bootloader waits for 0x7F again.
 * Readout protection then refuses Read Memory and Write Memory (AN3155 §3.4, §3.6). Only Readout
 * Unprotect (0x92, which mass-erases the flash) lowers it again (RM0090 §3.7.3).
 */
export async function readoutProtectCommand(link: BootloaderLink): Promise<void> {
  await sendCommand(link, Opcode.READOUT_PROTECT);
  await link.expectAck('reply', Opcode.READOUT_PROTECT, link.timing.replyTimeoutMs(1) + OPTION_BYTES_PROGRAM_MS);
}
