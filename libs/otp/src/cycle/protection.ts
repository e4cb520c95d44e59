// Readout protection as the host sees it: AN3155 §3.4 (Read Memory) and §3.6 (Write Memory): "if
// readout protection is active, the bootloader answers NACK" at the command stage, while Get, Get
// Version and Get ID still answer (AN2606: the bootloader runs under RDP level 1). RDP level 2
// disables the bootloader altogether: that chip never answers 0x7F (docs/hardware.md §protection).
import { type BootloaderClient, BootloaderNackError, Opcode } from '../bootloader/index.js';
import { type DeviceProfile } from '../profiles/index.js';
import { readUidHex } from './device-io.js';
import { ReadoutProtectedError } from './errors.js';

/** True for a Read Memory the device refused at its command stage (what readout protection does). */
export function isReadRefusal(error: unknown): boolean {
  return error instanceof BootloaderNackError && error.stage === 'command' && error.opcode === Opcode.READ_MEMORY;
}

/**
 * Runs `read`, which must begin with a Read Memory. If the device refuses that command (see
 * `isReadRefusal`), the UID is asked for once more through `confirm` (e.g. a cycle's ledger): a
 * second refusal makes the verdict (`ReadoutProtectedError`, final); anything else rethrows the
 * first error (one NACK may be a corrupted command byte: a link error, resumable).
 * @throws ReadoutProtectedError after two refusals; otherwise whatever `read` threw.
 */
export async function readUnlessProtected<T>(
  client: BootloaderClient,
  profile: DeviceProfile,
  read: () => Promise<T>,
  confirm: <U>(again: () => Promise<U>) => Promise<U> = (again) => again(),
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!isReadRefusal(error)) throw error;
    await confirmProtected(client, profile, error, confirm);
    throw error;
  }
}

async function confirmProtected(
  client: BootloaderClient,
  profile: DeviceProfile,
  first: unknown,
  confirm: <U>(again: () => Promise<U>) => Promise<U>,
): Promise<void> {
  try {
    await confirm(() => readUidHex(client, profile));
  } catch (again) {
    if (isReadRefusal(again)) {
      throw new ReadoutProtectedError(
        'the bootloader answers Get ID but refused Read Memory twice: readout protection is active; nothing can be read or written',
      );
    }
    throw first;
  }
}
