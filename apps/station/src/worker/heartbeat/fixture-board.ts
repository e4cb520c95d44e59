import type { FixtureHeartbeat, FixturePhase, LastCycle } from '#ingrain/contracts';
import type { CycleResult } from '#ingrain/otp';

/** What the fixture itself reports (Fixture's own states; `done` with the bin it released to). */
export type FixtureEvent =
  | { readonly kind: 'empty' }
  | { readonly kind: 'chip-present' }
  | { readonly kind: 'released'; readonly bin: 'done' | 'quarantine'; readonly reason: string };

const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/** A release reason as an error code: codes stay, words become one (`device quarantined` → DEVICE_QUARANTINED). */
export function reasonCode(reason: string): string {
  if (CODE.test(reason)) return reason;
  const code = reason
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return CODE.test(code) ? code : 'UNKNOWN';
}

interface Slot {
  state: FixtureHeartbeat['state'];
  phase: FixturePhase | null;
  reason: string | null;
  deviceId: string | null;
  since: Date;
  lastCycle: LastCycle | null;
}

/**
 * What each fixture of the station is doing, as the heartbeat tells the API: fed by the fixture's
 * state changes, the job's steps and the cycle's phases; read by the heartbeat sender. Memory only,
 * synchronous, never throws: feeding it cannot slow or fail a cycle.
 */
export class FixtureBoard {
  readonly #slots = new Map<string, Slot>();

  constructor(
    ports: readonly string[],
    private readonly clock: () => Date = () => new Date(),
  ) {
    for (const port of ports) {
      this.#slots.set(port, {
        state: 'empty',
        phase: null,
        reason: null,
        deviceId: null,
        since: clock(),
        lastCycle: null,
      });
    }
  }

  /** The fixture's own view: empty, a new chip, a chip released to `done` or to quarantine. */
  fixture(port: string, event: FixtureEvent): void {
    if (event.kind === 'released') {
      const failed = event.bin === 'quarantine';
      this.#enter(port, failed ? 'failed' : 'done', null, failed ? reasonCode(event.reason) : null);
      return;
    }
    this.#enter(port, event.kind, null, null, event.kind === 'empty' ? null : undefined);
  }

  /** A step of the programming (claim, a cycle phase, the report) of `deviceId`. */
  step(port: string, phase: FixturePhase, deviceId?: string): void {
    this.#enter(port, 'programming', phase, null, deviceId);
  }

  /** A finished cycle's outcome and times (ms per phase). */
  cycleFinished(port: string, result: CycleResult, finishedAt: Date): void {
    const slot = this.#slots.get(port);
    if (slot === undefined) return;
    slot.lastCycle = {
      outcome: result.outcome,
      durationsMs: { ...result.durationsMs },
      totalMs: result.totalMs,
      finishedAt: finishedAt.toISOString(),
    };
  }

  /** A job failed on the fixture with `code` (the chip may still be in it, e.g. after link errors). */
  failed(port: string, code: string): void {
    const slot = this.#slots.get(port);
    // A chip released to quarantine already says why; a later job failure of the same chip does not replace it.
    if (slot?.state === 'failed') return;
    this.#enter(port, 'failed', null, reasonCode(code));
  }

  /** Every fixture as the heartbeat carries it, in configuration order. */
  snapshot(): FixtureHeartbeat[] {
    return [...this.#slots].map(([port, slot]) => ({
      port,
      state: slot.state,
      phase: slot.phase,
      reason: slot.reason,
      deviceId: slot.deviceId,
      since: slot.since.toISOString(),
      lastCycle: slot.lastCycle,
    }));
  }

  #enter(
    port: string,
    state: Slot['state'],
    phase: FixturePhase | null,
    reason: string | null,
    deviceId?: string | null,
  ): void {
    const slot = this.#slots.get(port);
    if (slot === undefined) return;
    if (slot.state !== state) slot.since = this.clock();
    slot.state = state;
    slot.phase = phase;
    slot.reason = reason;
    if (deviceId !== undefined) slot.deviceId = deviceId;
  }
}
