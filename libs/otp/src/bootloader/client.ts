import { type DeviceTransport } from '../transport/index.js';
import { MAX_ADDRESS, MAX_TRANSFER_BYTES, WRITE_LENGTH_MULTIPLE_BYTES } from './an3155.js';
import { getCommand, type BootloaderInfo } from './commands/get.js';
import { getIdCommand } from './commands/get-id.js';
import { getVersionCommand, type BootloaderVersionInfo } from './commands/get-version.js';
import { goCommand } from './commands/go.js';
import { readMemoryCommand } from './commands/read-memory.js';
import { readoutProtectCommand } from './commands/readout-protect.js';
import { writeMemoryCommand } from './commands/write-memory.js';
import { BootloaderError, BootloaderNackError, BootloaderUsageError, WriteNotAlignedError } from './errors.js';
import { splitTransfers } from './frames.js';
import { BootloaderLink, type WireStats } from './link.js';
import { planWriteFrames } from './resync-safe-frames.js';
import { reconfirm, resynchronise, synchronise, type SyncMode } from './sync.js';
import { BootloaderTiming, type BootloaderTimingOptions } from './timing.js';

/** Options of `BootloaderClient`: timing only (see `BootloaderTimingOptions` for the defaults). */
export type BootloaderClientOptions = BootloaderTimingOptions;

/** Options of one `connect()` call. */
export interface ConnectOptions {
  /**
   * Bound on re-synchronisation rounds for this connect only (a positive integer); later commands
   * keep the client's own `maxResyncAttempts`. Default: the client's.
   */
  readonly maxResyncAttempts?: number;
  /**
   * The caller has just reset the device into its bootloader (a fixture's entry sequence): when the
   * first 0x7F gets no answer, a second one is sent (a late bootloader missed the first). Only for
   * a client that never synchronised. Default false.
   */
  readonly afterReset?: boolean;
}

/** Where the client stands with the device. */
export type ClientSyncState = 'not-connected' | 'synchronised' | 'desynchronised';

/** Options of `writeMemory`. */
export interface WriteMemoryOptions {
  /** Address and length alignment of the target memory (the profile's writeAlignmentBytes: 4 or 8). */
  readonly alignmentBytes: number;
}

/**
 * Host side of the STM32 ROM bootloader protocol over USART (AN3155), on any `DeviceTransport`.
 *
 * Guarantees: commands run one at a time in call order; every stage checks ACK/NACK (BUSY is
 * waited out, bounded); replies are validated (lengths, trailing ACK). Device or link failures
 * throw a `BootloaderError` subclass with a stable `code`, the `stage` and the `opcode`, and leave
 * the client desynchronised: the next command first re-synchronises (0xFF bursts + Get Version).
 * Once synchronised, the client sends 0x7F again only after a failed `connect()`.
 * Caller mistakes throw `BootloaderUsageError` / `WriteNotAlignedError` before any byte is sent.
 * The client never pads, retries a write, or re-sends a Write Memory after a failure.
 */
export class BootloaderClient {
  private readonly link: BootloaderLink;
  private syncState: ClientSyncState = 'not-connected';
  private lastFailureWasNack = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(transport: DeviceTransport, options: BootloaderClientOptions = {}) {
    this.link = new BootloaderLink(transport, new BootloaderTiming(options, transport.baudRate));
  }

  /** Wire bytes sent/received and replies waited for since the client was created. */
  get wireStats(): WireStats {
    return this.link.stats;
  }

  get state(): ClientSyncState {
    return this.syncState;
  }

  /**
   * Synchronises with the bootloader. The 0x7F autobaud byte is sent only by a client that never
   * synchronised (or whose last connect failed): one 0x7F; ACK → 'fresh'; a NACK (device already in
   * sync) is accepted only once Get Version confirms it → 'already-synchronised'; silence or garbage
   * → re-synchronisation (0xFF only) → 'resynchronised'.
   * A client that is `synchronised` (its last exchange completed cleanly) never sends 0x7F (after
   * sync it is an opcode byte, AN3155 §2): Get Version confirms → 'already-synchronised'; if that
   * fails, re-synchronisation → 'resynchronised'. A `desynchronised` client re-synchronises
   * (0xFF only) → 'resynchronised'. So a device reset since this client last synchronised is not
   * reached (it waits for 0x7F): use a new client for it.
   * Call it after the bootloader has started (docs/hardware.md §link: 17–85 ms after reset).
   * Throws `BootloaderUsageError` (BOOTLOADER_INVALID_ARGUMENT, nothing sent) for a bad
   * `maxResyncAttempts`, `BootloaderSyncFailedError` / `BootloaderLinkLostError`; after a throw the
   * client is `not-connected`.
   */
  async connect(options: ConnectOptions = {}): Promise<SyncMode> {
    const maxResyncAttempts = resyncBound(options, this.link.timing.maxResyncAttempts);
    return this.serialise(async () => {
      try {
        const mode = await this.synchroniseFrom(this.syncState, maxResyncAttempts, options.afterReset === true);
        this.syncState = 'synchronised';
        return mode;
      } catch (error) {
        this.syncState = 'not-connected';
        throw error;
      }
    });
  }

  /** Get (0x00): protocol version and supported opcodes. */
  get(): Promise<BootloaderInfo> {
    return this.command(() => getCommand(this.link));
  }

  /** Get Version (0x01): protocol version and option bytes. */
  getVersion(): Promise<BootloaderVersionInfo> {
    return this.command(() => getVersionCommand(this.link));
  }

  /** Get ID (0x02): the product ID (PID), e.g. 0x413. */
  getId(): Promise<number> {
    return this.command(() => getIdCommand(this.link));
  }

  /**
   * Reads `lengthBytes` (≥ 1, any length) from `address`, as consecutive Read Memory commands of at
   * most 256 bytes. No alignment rule applies (AN3155 §3.4).
   */
  async readMemory(address: number, lengthBytes: number): Promise<Uint8Array> {
    checkRange(address, lengthBytes);
    return this.command(async () => {
      const out = new Uint8Array(lengthBytes);
      for (const piece of splitTransfers(address, lengthBytes)) {
        out.set(await readMemoryCommand(this.link, piece.address, piece.lengthBytes), piece.address - address);
      }
      return out;
    });
  }

  /**
   * Writes `bytes` at `address` as Write Memory commands of at most 256 bytes. Address and length
   * must be multiples of `alignmentBytes` (itself a multiple of 4 dividing 256), else
   * `WriteNotAlignedError` and nothing is sent: padding is the planner's job, not this client's.
   * The frames are resync-safe (docs/hardware.md §resync-safe-frames): split on `alignmentBytes`
   * boundaries so that no frame a dead host leaves half-sent can be completed by the next session's
   * 0x7F and 0xFF bursts; the fewest such frames, or, for the rare write no split makes safe, the
   * fewest unsafe ones. Resolving means every chunk was ACKed, which proves nothing: verify by reading back.
   */
  async writeMemory(address: number, bytes: Uint8Array, options: WriteMemoryOptions): Promise<void> {
    checkRange(address, bytes.length);
    checkWriteAlignment(address, bytes.length, options.alignmentBytes);
    return this.command(async () => {
      for (const frame of planWriteFrames(address, bytes, options.alignmentBytes)) {
        const payload = bytes.subarray(frame.offsetBytes, frame.offsetBytes + frame.lengthBytes);
        await writeMemoryCommand(this.link, frame.address, payload);
      }
    });
  }

  /**
   * Readout Protect (0x82): sets readout protection level 1 (AN3155 §3.11). Irreversible without a
   * mass erase of the flash. The device resets after its second ACK, so the client is then
   * `not-connected`: `connect()` again (0x7F) before the next command, after the bootloader restarted.
   */
  async readoutProtect(): Promise<void> {
    await this.command(() => readoutProtectCommand(this.link));
    await this.serialise(() => {
      this.syncState = 'not-connected';
      return Promise.resolve();
    });
  }

  /**
   * Go (0x21, AN3155 §3.5): starts the code whose vector table is at `address` (the application:
   * main flash, `FLASH_BASE_ADDRESS`). Resolves once the ROM ACKed the address; the client is then
   * `not-connected` (the bootloader no longer answers until the next reset into it).
   */
  async go(address: number): Promise<void> {
    checkRange(address, 1);
    await this.command(() => goCommand(this.link, address));
    await this.serialise(() => {
      this.syncState = 'not-connected';
      return Promise.resolve();
    });
  }

  /** Runs a device command: serialised, after re-synchronising if needed, tracking desync. */
  private command<T>(run: () => Promise<T>): Promise<T> {
    return this.serialise(async () => {
      if (this.syncState === 'not-connected') {
        throw new BootloaderUsageError('BOOTLOADER_NOT_CONNECTED', 'call connect() before sending commands');
      }
      if (this.syncState === 'desynchronised') {
        await resynchronise(this.link, this.lastFailureWasNack);
        this.syncState = 'synchronised';
      }
      try {
        return await run();
      } catch (error) {
        if (error instanceof BootloaderError) {
          this.syncState = 'desynchronised';
          this.lastFailureWasNack = error instanceof BootloaderNackError;
        }
        throw error;
      }
    });
  }

  private async synchroniseFrom(
    state: ClientSyncState,
    maxResyncAttempts: number,
    afterReset: boolean,
  ): Promise<SyncMode> {
    if (state === 'synchronised') return reconfirm(this.link, maxResyncAttempts);
    if (state === 'not-connected') return synchronise(this.link, maxResyncAttempts, afterReset);
    await resynchronise(this.link, this.lastFailureWasNack, maxResyncAttempts);
    return 'resynchronised';
  }

  private serialise<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

function resyncBound(options: ConnectOptions, clientDefault: number): number {
  const bound = options.maxResyncAttempts ?? clientDefault;
  if (!Number.isInteger(bound) || bound < 1) {
    throw new BootloaderUsageError('BOOTLOADER_INVALID_ARGUMENT', `maxResyncAttempts must be an integer ≥ 1`);
  }
  return bound;
}

function checkRange(address: number, lengthBytes: number): void {
  if (!Number.isInteger(address) || address < 0 || address > MAX_ADDRESS) {
    throw new BootloaderUsageError('BOOTLOADER_INVALID_ARGUMENT', `address must be a 32-bit unsigned integer`);
  }
  if (!Number.isInteger(lengthBytes) || lengthBytes < 1 || address + lengthBytes - 1 > MAX_ADDRESS) {
    throw new BootloaderUsageError(
      'BOOTLOADER_INVALID_ARGUMENT',
      `length must be ≥ 1 byte and stay within the 32-bit address space, got ${lengthBytes}`,
    );
  }
}

function checkWriteAlignment(address: number, lengthBytes: number, alignmentBytes: number): void {
  const validAlignment =
    Number.isInteger(alignmentBytes) &&
    alignmentBytes % WRITE_LENGTH_MULTIPLE_BYTES === 0 &&
    MAX_TRANSFER_BYTES % alignmentBytes === 0;
  if (!validAlignment) {
    throw new BootloaderUsageError(
      'BOOTLOADER_INVALID_ARGUMENT',
      `alignmentBytes must be a multiple of 4 that divides 256, got ${alignmentBytes}`,
    );
  }
  const hexAddress = `0x${address.toString(16).padStart(8, '0')}`;
  if (address % alignmentBytes !== 0 || lengthBytes % alignmentBytes !== 0) {
    throw new WriteNotAlignedError(
      `write of ${lengthBytes} bytes at ${hexAddress} is not aligned to ${alignmentBytes} bytes (address and length)`,
    );
  }
}
