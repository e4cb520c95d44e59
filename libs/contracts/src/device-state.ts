// The device state machine of docs/api.md as data. The API's services ask it and its repositories
// apply it with a conditional UPDATE on the `from` states, so the rule holds across API processes;
// the station reads the same states from the API's answers.
import { z } from 'zod';
import { ContractError } from './errors.js';

export const DEVICE_STATES = ['queued', 'claimed', 'provisioned', 'quarantined', 'scrapped'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

/** States no action leaves: the identity is used up (provisioned) or never used again. */
export const FINAL_DEVICE_STATES: ReadonlySet<DeviceState> = new Set(['provisioned', 'quarantined', 'scrapped']);

/** What moves a device: a station's claim and result, an admin's release or scrap. */
export type DeviceAction = 'claim' | 'provision' | 'quarantine' | 'release' | 'scrap';

/** One edge set of the machine: the states an action may start from and where it leads. */
export interface DeviceTransition {
  readonly from: readonly DeviceState[];
  readonly to: DeviceState;
}

/**
 * Every allowed transition. A claim of a device already claimed by the same chip, and a
 * `link-error` result (the job is retried), are not transitions: the state stays `claimed`.
 */
export const DEVICE_TRANSITIONS: Readonly<Record<DeviceAction, DeviceTransition>> = {
  claim: { from: ['queued'], to: 'claimed' },
  provision: { from: ['claimed'], to: 'provisioned' },
  quarantine: { from: ['claimed'], to: 'quarantined' },
  // Only a chip nobody wrote to may give its identity back (docs/api.md: release).
  release: { from: ['claimed'], to: 'queued' },
  scrap: { from: ['queued', 'claimed'], to: 'scrapped' },
};

/** What the API knows about the bound chip when an admin asks to release it. */
export interface ReleaseFacts {
  /** Sum of `bytesWritten` over every report stations made for this device (0 if none). */
  readonly bytesWrittenReported: number;
}

/** True when `action` may start from `state`. */
export function canTransition(state: DeviceState, action: DeviceAction): boolean {
  return DEVICE_TRANSITIONS[action].from.includes(state);
}

/**
 * The state `action` leads to from `state`.
 *
 * @throws ContractError `DEVICE_STATE_CONFLICT` (details `{ state, action }`; the API answers 409)
 *   when the machine has no such edge; `DEVICE_RELEASE_REFUSED` (409) for a release after a station
 *   reported bytes written to the chip (the chip may hold part of this identity: scrap it instead).
 */
export function assertTransition(state: DeviceState, action: DeviceAction, facts?: ReleaseFacts): DeviceState {
  const transition = DEVICE_TRANSITIONS[action];
  if (!transition.from.includes(state)) {
    const allowed = transition.from.join(' or ');
    throw new ContractError(
      'DEVICE_STATE_CONFLICT',
      `cannot ${action} a device that is ${state} (only when ${allowed})`,
      {
        details: { state, action },
      },
    );
  }
  if (action === 'release' && (facts?.bytesWrittenReported ?? 0) > 0) {
    throw new ContractError(
      'DEVICE_RELEASE_REFUSED',
      'a station reported bytes written to the bound chip: it may hold part of this identity, scrap the device instead',
    );
  }
  return transition.to;
}

/** Body of the admin's release and scrap requests: why, in words kept in the device history. */
export const operatorActionSchema = z.strictObject({
  reason: z
    .string()
    .trim()
    .min(3, 'reason must say why (at least 3 characters)')
    .max(500, 'reason must be at most 500 characters'),
});
export type OperatorAction = z.output<typeof operatorActionSchema>;
