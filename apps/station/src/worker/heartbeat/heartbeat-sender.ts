import { randomUUID } from 'node:crypto';
import type { StationHeartbeatBody } from '#ingrain/contracts';
import type { StationApi } from '../api/station-api.js';
import { errorFields, type StationLog } from '../station-log.js';
import type { FixtureBoard } from './fixture-board.js';

export interface HeartbeatSenderOptions {
  readonly api: Pick<StationApi, 'heartbeat'>;
  readonly board: Pick<FixtureBoard, 'snapshot'>;
  readonly log: StationLog;
  /** INGRAIN_STATION_HEARTBEAT_MS: one heartbeat per interval. */
  readonly intervalMs: number;
  /** The station software's version. */
  readonly version: string;
  readonly sent?: () => void;
  readonly failed?: () => void;
  readonly clock?: () => Date;
}

/**
 * Sends the station's heartbeat every `intervalMs`, on its own timer, apart from the cycles: a
 * heartbeat never waits for a cycle and a cycle never waits for a heartbeat. At most one is in
 * flight (a tick while one is still out is skipped); a failure is counted and logged once per
 * outage (warn `heartbeat-failed`, then info `heartbeat-restored`) and never thrown.
 */
export class HeartbeatSender {
  readonly #bootId = randomUUID();
  #sequence = 0;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #failing = false;
  #stopped = false;

  constructor(private readonly options: HeartbeatSenderOptions) {}

  /** Sends one at once, then one per interval. */
  start(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    void this.beat();
    this.#timer = setInterval(() => void this.beat(), this.options.intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for the heartbeat in flight, if any. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  /** One heartbeat now (skipped while one is in flight). Never rejects. */
  beat(): Promise<void> {
    this.#inFlight ??= this.#send().finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  async #send(): Promise<void> {
    const { api, board, log } = this.options;
    const body: StationHeartbeatBody = {
      bootId: this.#bootId,
      sequence: this.#sequence++,
      sentAt: (this.options.clock?.() ?? new Date()).toISOString(),
      version: this.options.version,
      fixtures: board.snapshot(),
    };
    try {
      await api.heartbeat(body);
      this.options.sent?.();
      if (this.#failing) log.write('info', 'heartbeat-restored', {});
      this.#failing = false;
    } catch (error) {
      this.options.failed?.();
      if (!this.#failing) log.write('warn', 'heartbeat-failed', errorFields(error));
      this.#failing = true;
    }
  }
}
