import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { LineActivityRepository } from '../repositories/line-activity-repository.js';
import { LineService } from '../stations/line.service.js';
import type { LineView } from '../stations/stations.schemas.js';

/** How many recent device changes a snapshot carries. */
const RECENT_CHANGES = 25;
/** How often the database is read while anyone listens. */
const POLL_MS = 1_000;

/** What `GET /v1/line/events` pushes (event `line`): the line view, devices by state, recent changes. */
export interface LineSnapshot {
  readonly at: string;
  readonly line: LineView;
  readonly devicesByState: Readonly<Record<string, number>>;
  readonly recent: readonly {
    readonly id: number;
    readonly at: string;
    readonly deviceId: string;
    readonly serial: string;
    readonly from: string | null;
    readonly to: string;
    readonly reason: string | null;
    readonly stationId: string | null;
  }[];
}

type Listener = (snapshot: LineSnapshot) => void;

/**
 * The live line for the console: while anyone listens, reads the line view, the devices by state
 * and the latest device changes from the database every second, and tells the listeners when
 * anything but the time stamps changed. The database is the source of truth, so changes made
 * through any API process (and stations going offline, which only time reveals) reach every
 * listener of every process. One read per tick for all listeners of this process.
 */
@Injectable()
export class LineFeed implements OnApplicationShutdown {
  readonly #logger = new Logger('LineFeed');
  readonly #listeners = new Set<Listener>();
  #timer: NodeJS.Timeout | undefined;
  #fingerprint: string | undefined;
  #latest: LineSnapshot | undefined;
  #reading = false;

  constructor(
    @Inject(LineService) private readonly lines: LineService,
    @Inject(LineActivityRepository) private readonly activity: LineActivityRepository,
  ) {}

  /** Calls `listener` with the current snapshot now (when known) and after every change; returns the unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    if (this.#latest !== undefined) listener(this.#latest);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.#tick(), POLL_MS);
      void this.#tick();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stop();
    };
  }

  onApplicationShutdown(): void {
    this.#listeners.clear();
    this.#stop();
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#latest = undefined;
    this.#fingerprint = undefined;
  }

  async #tick(): Promise<void> {
    if (this.#reading) return;
    this.#reading = true;
    try {
      const snapshot = await this.read();
      const { at: _at, line, ...rest } = snapshot;
      const { generatedAt: _generatedAt, ...lineRest } = line;
      const fingerprint = JSON.stringify([lineRest, rest]);
      if (fingerprint === this.#fingerprint || this.#timer === undefined) return;
      this.#fingerprint = fingerprint;
      this.#latest = snapshot;
      for (const listener of this.#listeners) listener(snapshot);
    } catch (error) {
      this.#logger.warn(`could not read the line: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.#reading = false;
    }
  }

  /** One snapshot, read now. */
  async read(): Promise<LineSnapshot> {
    const now = new Date();
    const [line, devicesByState, recent] = await Promise.all([
      this.lines.view({ windowMinutes: 60 }, now),
      this.activity.devicesByState(),
      this.activity.recentChanges(RECENT_CHANGES),
    ]);
    return {
      at: now.toISOString(),
      line,
      devicesByState,
      recent: recent.map((change) => ({ ...change, at: change.at.toISOString() })),
    };
  }
}
