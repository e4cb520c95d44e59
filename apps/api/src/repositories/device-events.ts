import type { Executor } from '../database/executor.js';
import { jsonText } from '../database/json.js';
import type { DeviceState } from '#ingrain/contracts';
import type { DeviceEventInput } from './device-records.js';

export interface DeviceEventWrite extends DeviceEventInput {
  readonly deviceId: string;
  readonly fromState: DeviceState | null;
  readonly toState: DeviceState;
  readonly chipUid: Uint8Array | null;
}

/** Appends one history entry; run it in the transaction of the state change it records. */
export async function insertDeviceEvent(db: Executor, event: DeviceEventWrite): Promise<void> {
  await db
    .insertInto('device_events')
    .values({
      device_id: event.deviceId,
      from_state: event.fromState,
      to_state: event.toState,
      reason: event.reason ?? null,
      actor: event.actor,
      chip_uid: event.chipUid,
      details: event.details === undefined ? null : jsonText(event.details),
    })
    .execute();
}
