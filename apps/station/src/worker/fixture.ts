import { setTimeout as sleep } from 'node:timers/promises';
import { BootloaderClient, type DeviceTransport, SerialTransport } from '#ingrain/otp';
import { type ChipPresence, probeFixture, type ProbeResult } from './chip-probe.js';
import { StationError } from './errors.js';
import { type ChipRelease, type FixtureControl, type ReleaseBin } from './fixture-control.js';
import { errorFields, type StationLog } from './station-log.js';

/** What the fixture holds, as the station last saw it. */
export type FixtureState = 'empty' | 'chip-present' | 'done';

export type OpenTransport = (port: string, baudRate: number) => Promise<DeviceTransport>;

export interface FixtureOptions {
  readonly port: string;
  readonly baudRate: number;
  readonly control: FixtureControl;
  readonly log: StationLog;
  /** Pause between probes of an empty fixture or of one still holding a finished chip. */
  readonly pollMs: number;
  /** Default: the serial port (8E1, AN3155 §2). */
  readonly openTransport?: OpenTransport;
}

/** Longest wait for an acknowledging handler to carry out a release before the fixture is probed. */
const HANDLER_WAIT_MS = 2_000;
/** A finished chip still in the fixture this long after its release is asked for again. */
const RELEASE_REPEAT_MS = 30_000;
/** UIDs remembered as finished (released) per fixture; the oldest are forgotten first. */
const MAX_REMEMBERED_UIDS = 1024;

/** The client of the last probe that found a chip, kept for that chip's cycle (used once). */
interface ProbedClient {
  readonly client: BootloaderClient;
  readonly transport: DeviceTransport;
  readonly chipUid: string;
}

/**
 * One fixture: a serial port that holds one chip at a time. It knows when it holds a new chip (one
 * answers, with a UID it has not finished) and releases a finished chip to the handler. The port
 * stays open between chips and is reopened after a link failure.
 */
export class Fixture {
  readonly port: string;
  #transport: DeviceTransport | undefined;
  readonly #finished = new Set<string>();
  #state: FixtureState = 'empty';
  #presentUid: string | undefined;
  #unknownChipReleased: number | undefined;
  #lastRelease: { readonly request: ChipRelease; atMs: number } | undefined;
  #probed: ProbedClient | undefined;

  constructor(private readonly options: FixtureOptions) {
    this.port = options.port;
  }

  get state(): FixtureState {
    return this.#state;
  }

  /**
   * Resolves with the next chip to work on: one that answers with a UID this fixture has not
   * released. A chip of an unknown family is released to quarantine and the wait goes on.
   * @throws StationError `STATION_SHUTTING_DOWN` once `signal` aborts.
   */
  async waitForChip(signal: AbortSignal): Promise<ChipPresence> {
    // A handler that acknowledges (the feeder, a line controller's bridge) says when the next chip
    // is in: probing before that would only find the released chip and wait out a poll pause.
    if (this.#state === 'done') await this.options.control.carriedOut?.(this.port, HANDLER_WAIT_MS, signal);
    for (;;) {
      if (signal.aborted) throw shuttingDown();
      const chip = await this.look();
      if (chip !== undefined) return chip;
      await sleep(this.options.pollMs, undefined, { signal }).catch(() => undefined);
    }
  }

  /**
   * One probe (nothing is written): the chip to work on, or undefined when the fixture is empty,
   * holds a chip it released already (asked for again 30 s after its release), or a chip of an
   * unknown family (released to quarantine). `fixture-chip-present` is logged once per chip.
   */
  async look(): Promise<ChipPresence | undefined> {
    const found = await this.#probe();
    if (found.kind === 'chip' && !this.#finished.has(found.chip.uid)) {
      if (this.#state !== 'chip-present' || this.#presentUid !== found.chip.uid) {
        this.#presentUid = found.chip.uid;
        this.#enter('chip-present', { chipUid: found.chip.uid, family: found.chip.family });
      }
      return found.chip;
    }
    this.#probed = undefined; // no chip to work on: nothing to hand over
    if (found.kind === 'unknown-chip') await this.#releaseUnknown(found.productId);
    else if (found.kind === 'chip') await this.#repeatRelease(found.chip.uid);
    else this.#noteNoChip(found);
    return undefined;
  }

  /**
   * Runs `work` with a bootloader client on the fixture's port (default timing). That is the client
   * of the last probe when it found this chip (`chipUid`, if given), on the port still open, and is
   * still synchronised: its `connect()` is then one Get Version, where a new client's 0x7F would be
   * half a command to the synchronised chip (≈ 2 reply margins lost). The probe's client is handed
   * over once; in any other case (no probe since, another chip, port reopened, a failed exchange)
   * `work` gets a new client, which starts with 0x7F. The work's own UID checks stay the fence: a
   * chip swapped in since the probe waits for 0x7F, which the handed-over client never sends, so
   * its connect fails (a link error: the retry gets a new client) and nothing is written to it.
   */
  async withClient<T>(work: (client: BootloaderClient) => Promise<T>, chipUid?: string): Promise<T> {
    const transport = await this.#open();
    const probed = this.#probed;
    this.#probed = undefined;
    const reusable =
      probed !== undefined &&
      probed.transport === transport &&
      probed.client.state === 'synchronised' &&
      (chipUid === undefined || probed.chipUid === chipUid);
    return work(reusable ? probed.client : this.#newClient(transport));
  }

  /**
   * Hands the chip to the handler for `bin`; the fixture then waits for a chip with another UID.
   * The UID is remembered first, so the station never works a finished chip twice. A handler that
   * fails is logged, not thrown (the chip's outcome is final and reported already); the request is
   * repeated while the chip stays in the fixture.
   */
  async release(chipUid: string, bin: ReleaseBin, reason: string): Promise<void> {
    this.#probed = undefined;
    this.#remember(chipUid);
    this.#enter('done', { chipUid, bin, reason });
    await this.#request({ port: this.port, chipUid, bin, reason });
  }

  /** Closes the port. Idempotent. */
  async close(): Promise<void> {
    const transport = this.#transport;
    this.#transport = undefined;
    this.#probed = undefined;
    await transport?.close().catch(() => undefined);
  }

  async #probe(): Promise<ProbeResult> {
    this.#probed = undefined;
    let transport: DeviceTransport;
    try {
      transport = await this.#open();
    } catch (error) {
      return { kind: 'none', reason: String(errorFields(error).errorCode) };
    }
    const client = this.#newClient(transport);
    const result = await probeFixture(client);
    if (result.kind === 'chip') this.#probed = { client, transport, chipUid: result.chip.uid };
    if (result.kind === 'none' && result.reason.startsWith('TRANSPORT_') && result.reason !== 'TRANSPORT_TIMEOUT') {
      await this.close(); // the port went away: reopen it on the next probe
    }
    return result;
  }

  #newClient(transport: DeviceTransport): BootloaderClient {
    return new BootloaderClient(transport, { baudRate: this.options.baudRate });
  }

  async #open(): Promise<DeviceTransport> {
    if (this.#transport !== undefined) return this.#transport;
    const open = this.options.openTransport ?? ((path, baudRate) => SerialTransport.open({ path, baudRate }));
    this.#transport = await open(this.port, this.options.baudRate);
    return this.#transport;
  }

  async #releaseUnknown(productId: number): Promise<void> {
    if (this.#unknownChipReleased === productId) return; // already asked; waiting for the handler
    this.#unknownChipReleased = productId;
    this.#enter('done', { productId, bin: 'quarantine', reason: 'STATION_CHIP_UNKNOWN' });
    const reason = `STATION_CHIP_UNKNOWN: product ID 0x${productId.toString(16).padStart(3, '0')} is no known chip`;
    await this.#request({ port: this.port, chipUid: null, bin: 'quarantine', reason });
  }

  /** A finished chip still in the fixture long after its release: ask the handler again. */
  async #repeatRelease(chipUid: string): Promise<void> {
    const last = this.#lastRelease;
    if (last?.request.chipUid !== chipUid || performance.now() - last.atMs < RELEASE_REPEAT_MS) return;
    this.options.log.write('warn', 'fixture-release-repeated', { fixture: this.port, chipUid });
    await this.#request(last.request);
  }

  async #request(request: ChipRelease): Promise<void> {
    this.#lastRelease = { request, atMs: performance.now() };
    try {
      await this.options.control.release(request);
    } catch (error) {
      this.options.log.write('error', 'fixture-release-failed', {
        fixture: this.port,
        chipUid: request.chipUid,
        ...errorFields(error),
      });
    }
  }

  #noteNoChip(found: ProbeResult): void {
    if (found.kind !== 'none') return; // a finished chip still in the fixture: the state stays 'done'
    this.#unknownChipReleased = undefined;
    if (this.#state !== 'empty') this.#enter('empty', { reason: found.reason });
  }

  #remember(chipUid: string): void {
    this.#finished.add(chipUid);
    if (this.#finished.size > MAX_REMEMBERED_UIDS) {
      const oldest = this.#finished.values().next().value;
      if (oldest !== undefined) this.#finished.delete(oldest);
    }
  }

  #enter(state: FixtureState, fields: Record<string, string | number>): void {
    this.#state = state;
    this.options.log.write('info', `fixture-${state}`, { fixture: this.port, ...fields });
  }
}

function shuttingDown(): StationError {
  return new StationError('STATION_SHUTTING_DOWN', 'the station is shutting down');
}
