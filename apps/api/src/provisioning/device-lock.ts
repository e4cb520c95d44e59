import type { DeviceState } from '#ingrain/contracts';
import type { Executor } from '../database/executor.js';
import { isUuid } from '../repositories/row-values.js';

/**
 * Locks a device row until `trx` ends (SELECT … FOR UPDATE) and returns its state, or undefined
 * for an unknown device. Every state change takes the same row lock (DeviceRepository.transition),
 * so what the caller reads after this — the history, the reports recorded — cannot change under it
 * before its own transition. An adapter: it decides nothing.
 */
export async function lockDevice(trx: Executor, deviceId: string): Promise<DeviceState | undefined> {
  if (!isUuid(deviceId)) return undefined;
  const row = await trx.selectFrom('devices').select('state').where('id', '=', deviceId).forUpdate().executeTakeFirst();
  return row?.state;
}
