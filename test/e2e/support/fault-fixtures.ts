// What the fault end-to-end tests (power cut, conflicting chip, API outage) share: a station-event tap
// whose handler each test sets, the device and its history as the MES reads them, the line job as
// BullMQ holds it.
import { expectData, type components, type IngrainClient } from '#ingrain/api-client';
import { type StationEvent } from '../../../testkit/stack/index.js';

export type Device = components['schemas']['Device'];

/**
 * A stack takes one `onStationEvent` callback for its whole life; a tap lets each test hook its own
 * reaction (cut or restore power, kill the API) in and out. Handlers run synchronously as each log
 * line arrives, so a reaction lands as close to the event as the pipe allows.
 */
export class StationEventTap {
  readonly #handlers = new Set<(event: StationEvent) => void>();

  /** Pass this as `startLocalStack({ onStationEvent })`. */
  readonly listener = (event: StationEvent): void => {
    for (const handler of this.#handlers) handler(event);
  };

  /** Calls `handler` with every later event; returns the function that unhooks it. */
  on(handler: (event: StationEvent) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** Calls `reaction` once, with the first later event that matches `where`. */
  once(where: (event: StationEvent) => boolean, reaction: (event: StationEvent) => void): void {
    const off = this.on((event) => {
      if (!where(event)) return;
      off();
      reaction(event);
    });
  }
}

/** A device with its state history, as the MES reads it. */
export async function readDevice(mes: IngrainClient, id: string): Promise<Device> {
  return expectData(await mes.GET('/v1/devices/{id}', { params: { path: { id } } }));
}

/** The reasons of the history entries that led to `toState`, oldest first. */
export function historyReasons(device: Device, toState: Device['state']): (string | null)[] {
  return device.history.filter((entry) => entry.toState === toState).map((entry) => entry.reason);
}

/**
 * The station's events about one device: those naming it (job steps, report-*, chip-finished) and
 * those of its job (job-failed, job-completed: the API makes the job id the device id).
 */
export function eventsOfDevice(events: readonly StationEvent[], deviceId: string): StationEvent[] {
  return events.filter((entry) => entry['deviceId'] === deviceId || entry['jobId'] === deviceId);
}

/** Resolves after `ms`. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
