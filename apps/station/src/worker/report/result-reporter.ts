import { type StationReportBody } from '#ingrain/contracts';
import { StationApiError, StationError } from '../errors.js';
import { type ResultSpool, type SpoolEntry } from './result-spool.js';
import { type ReportVerdict, type StationApi } from '../api/station-api.js';
import { errorFields, type StationLog } from '../station-log.js';

/** What became of a report. */
export type Delivery =
  | { readonly kind: 'delivered'; readonly verdict: ReportVerdict['verdict'] }
  /** The API is unreachable or refused the station's token: the report is in the spool and the flusher delivers it later. */
  | { readonly kind: 'spooled' }
  /** The API refused it (a station bug or a device in another state): kept in `rejected/`. */
  | { readonly kind: 'rejected'; readonly code: string };

/** Summary of one flush pass. */
export interface FlushSummary {
  readonly delivered: number;
  readonly rejected: number;
  /** Entries left because the API was unreachable or refused the token. */
  readonly remaining: number;
}

export interface FlusherTiming {
  /** First wait after a pass that left reports behind; doubles up to `maxBackoffMs`. Default 500. */
  readonly initialBackoffMs?: number;
  /** Default 30 000. */
  readonly maxBackoffMs?: number;
}

type Api = Pick<StationApi, 'report'>;

/**
 * Delivers cycle reports so that none is ever lost: each is spooled (fsync) before it is posted,
 * deleted only once the API took it, and otherwise delivered by a background flusher with
 * exponential backoff. Reports of one device go out one at a time, oldest first, so a late link-error
 * report never overtakes the final one.
 */
export class ResultReporter {
  readonly #deviceLocks = new Map<string, Promise<unknown>>();
  /** Entries a `submit` is delivering itself: the flusher leaves them alone. */
  readonly #owned = new Set<string>();
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #kicked = false;
  #stopping = false;

  constructor(
    private readonly spool: ResultSpool,
    private readonly api: Api,
    private readonly log: StationLog,
    timing: FlusherTiming = {},
  ) {
    this.#initialBackoffMs = timing.initialBackoffMs ?? 500;
    this.#maxBackoffMs = timing.maxBackoffMs ?? 30_000;
  }

  /**
   * Spools the report durably, then tries to deliver it (after any older report of the same device);
   * when the API answered, kicks the flusher for the other devices' spooled reports.
   * @throws StationError `STATION_SPOOL_IO` when the report could not be spooled (nothing was posted).
   */
  async submit(deviceId: string, report: StationReportBody): Promise<Delivery> {
    const entry = this.spool.entryFor(deviceId, report);
    this.#owned.add(entry.name);
    try {
      await this.spool.write(entry);
      return await this.#withDeviceLock(deviceId, async () => {
        const older = (await this.spool.pending()).filter((e) => e.deviceId === deviceId && e.name < entry.name);
        for (const previous of older) {
          if ((await this.#deliver(previous)).kind === 'spooled') return this.#leaveForLater(entry);
        }
        const delivery = await this.#deliver(entry);
        if (delivery.kind === 'gone')
          throw new StationError('STATION_SPOOL_IO', `the spooled report ${entry.name} vanished`);
        if (delivery.kind === 'spooled') return this.#leaveForLater(entry);
        this.kick(); // the API answered: reports spooled for other devices need not wait for the backoff
        return delivery;
      });
    } finally {
      this.#owned.delete(entry.name);
    }
  }

  /** One pass over the spool, oldest first; stops at the first sign that the API is unreachable. */
  async flushPending(): Promise<FlushSummary> {
    const entries = (await this.spool.pending()).filter((entry) => !this.#owned.has(entry.name));
    let delivered = 0;
    let rejected = 0;
    for (const [index, entry] of entries.entries()) {
      const delivery = await this.#withDeviceLock(entry.deviceId, () => this.#deliver(entry));
      if (delivery.kind === 'spooled') return { delivered, rejected, remaining: entries.length - index };
      if (delivery.kind === 'delivered') delivered++;
      if (delivery.kind === 'rejected') rejected++;
    }
    return { delivered, rejected, remaining: 0 };
  }

  /** Starts the background flusher (idempotent). */
  start(): void {
    this.#stopping = false;
    this.#loop ??= this.#run();
  }

  /**
   * Makes the flusher try now: after a report was left in the spool, and whenever a call to the API
   * succeeded (a claim, a delivered report), so that spooled reports go out as soon as the API is
   * back instead of after the flusher's backoff (up to 30 s). A no-op before `start`.
   */
  kick(): void {
    this.#kicked = true;
    this.#wake?.();
  }

  /** Stops the flusher after its current delivery. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    this.#loop = undefined;
  }

  async #run(): Promise<void> {
    let backoffMs = this.#initialBackoffMs;
    while (!this.#stopping) {
      this.#kicked = false;
      const summary = await this.flushPending().catch((error: unknown) => {
        this.log.write('error', 'spool-flush-failed', errorFields(error));
        return { delivered: 0, rejected: 0, remaining: 1 };
      });
      if (summary.delivered + summary.rejected > 0) this.log.write('info', 'spool-flushed', { ...summary });
      const idle = summary.remaining === 0;
      if (!idle && summary.delivered > 0) backoffMs = this.#initialBackoffMs;
      await this.#pause(idle ? this.#maxBackoffMs : backoffMs);
      backoffMs = idle ? this.#initialBackoffMs : Math.min(backoffMs * 2, this.#maxBackoffMs);
    }
  }

  /** Waits `ms`, or less when kicked or stopped. */
  async #pause(ms: number): Promise<void> {
    if (this.#kicked || this.#stopping) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
  }

  #leaveForLater(entry: SpoolEntry): Delivery {
    this.#owned.delete(entry.name);
    this.kick();
    return { kind: 'spooled' };
  }

  async #deliver(entry: SpoolEntry): Promise<Delivery | { readonly kind: 'gone' }> {
    // Another pass delivered it meanwhile (an older entry of this device, seen by both): nothing to do.
    if (!(await this.spool.isPending(entry))) return { kind: 'gone' };
    try {
      const { verdict } = await this.api.report(entry.deviceId, entry.report);
      await this.spool.remove(entry);
      this.log.write('info', 'report-delivered', { deviceId: entry.deviceId, outcome: entry.report.outcome, verdict });
      return { kind: 'delivered', verdict };
    } catch (error) {
      if (!(error instanceof StationApiError)) throw error;
      // A refused token is no verdict on the report: it waits for the token to be accepted again.
      if (error.transient || error.credentialsRefused) {
        this.log.write('warn', 'report-spooled', {
          deviceId: entry.deviceId,
          outcome: entry.report.outcome,
          ...errorFields(error),
        });
        return { kind: 'spooled' };
      }
      await this.spool.reject(entry);
      this.log.write('error', 'report-rejected', {
        deviceId: entry.deviceId,
        outcome: entry.report.outcome,
        ...errorFields(error),
      });
      return { kind: 'rejected', code: error.problemCode ?? error.code };
    }
  }

  async #withDeviceLock<T>(deviceId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#deviceLocks.get(deviceId) ?? Promise.resolve();
    const current = previous.then(work, work);
    const settled = current.catch(() => undefined);
    this.#deviceLocks.set(deviceId, settled);
    try {
      return await current;
    } finally {
      if (this.#deviceLocks.get(deviceId) === settled) this.#deviceLocks.delete(deviceId);
    }
  }
}
