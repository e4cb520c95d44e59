import { sql } from 'kysely';
import type { Executor } from '../database/executor.js';
import type { WorkOrderDeviceEntry } from '../work-orders/work-order-report.js';
import { isUuid } from './row-values.js';

/**
 * The device list of a work order as its close report covers it: every device with its state,
 * bound chip and attestation leaf (devices left join attestations). Read-only.
 */
export class WorkOrderDevices {
  constructor(private readonly db: Executor) {}

  /** Every device of the work order, in no particular order (the report sorts them). */
  async list(workOrderId: string): Promise<WorkOrderDeviceEntry[]> {
    if (!isUuid(workOrderId)) return [];
    const rows = await this.db
      .selectFrom('devices')
      .leftJoin('attestations', 'attestations.device_id', 'devices.id')
      .select(['devices.id', 'devices.serial', 'devices.state', 'devices.chip_uid', 'attestations.leaf_index'])
      .where('devices.work_order_id', '=', workOrderId)
      .execute();
    return rows.map(toEntry);
  }

  /**
   * One page of the work order's devices in the close report's order (serial, then device id, by
   * code point: the order `workOrderDeviceListBytes` sorts in), after the entry `after` if given.
   */
  async page(
    workOrderId: string,
    after: { readonly serial: string; readonly deviceId: string } | undefined,
    limit: number,
  ): Promise<WorkOrderDeviceEntry[]> {
    if (!isUuid(workOrderId)) return [];
    let query = this.db
      .selectFrom('devices')
      .leftJoin('attestations', 'attestations.device_id', 'devices.id')
      .select(['devices.id', 'devices.serial', 'devices.state', 'devices.chip_uid', 'attestations.leaf_index'])
      .where('devices.work_order_id', '=', workOrderId);
    if (after !== undefined) {
      query = query.where(
        sql<boolean>`(devices.serial collate "C", devices.id::text) > (${after.serial} collate "C", ${after.deviceId})`,
      );
    }
    const rows = await query
      .orderBy(sql`devices.serial collate "C"`)
      .orderBy(sql`devices.id::text`)
      .limit(limit)
      .execute();
    return rows.map(toEntry);
  }
}

function toEntry(row: {
  id: string;
  serial: string;
  state: WorkOrderDeviceEntry['state'];
  chip_uid: Uint8Array | null;
  leaf_index: number | null;
}): WorkOrderDeviceEntry {
  return {
    deviceId: row.id,
    serial: row.serial,
    state: row.state,
    chipUid: row.chip_uid === null ? null : Buffer.from(row.chip_uid).toString('hex'),
    attestationLeafIndex: row.leaf_index,
  };
}
