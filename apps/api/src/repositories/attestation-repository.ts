import type { Executor } from '../database/executor.js';
import type { Page } from './device-records.js';
import { isUuid, plainBytes } from './row-values.js';

export interface AttestationRecord {
  /** Position of the attestation's leaf in the transparency log. */
  readonly leafIndex: number;
  readonly deviceId: string;
  /** The DSSE envelope as canonical JSON text: exactly the bytes of the log leaf. */
  readonly envelope: string;
  readonly serial: string;
  readonly chipUid: Uint8Array;
  readonly productId: string;
  readonly workOrderId: string | null;
  readonly stationId: string;
  readonly createdAt: Date;
}

export type NewAttestation = Omit<AttestationRecord, 'createdAt'>;

export interface AttestationSearchFilters {
  readonly serial?: string | undefined;
  readonly chipUid?: Uint8Array | undefined;
  readonly productId?: string | undefined;
  readonly workOrderId?: string | undefined;
  readonly stationId?: string | undefined;
  /** Created at or after. */
  readonly from?: Date | undefined;
  /** Created before. */
  readonly to?: Date | undefined;
}

const COLUMNS = [
  'leaf_index',
  'device_id',
  'envelope',
  'serial',
  'chip_uid',
  'product_id',
  'work_order_id',
  'station_id',
  'created_at',
] as const;

interface AttestationRow {
  leaf_index: number;
  device_id: string;
  envelope: string;
  serial: string;
  chip_uid: Uint8Array;
  product_id: string;
  work_order_id: string | null;
  station_id: string;
  created_at: Date;
}

function toRecord(row: AttestationRow): AttestationRecord {
  return {
    leafIndex: row.leaf_index,
    deviceId: row.device_id,
    envelope: row.envelope,
    serial: row.serial,
    chipUid: plainBytes(row.chip_uid),
    productId: row.product_id,
    workOrderId: row.work_order_id,
    stationId: row.station_id,
    createdAt: row.created_at,
  };
}

/** attestations: signed device attestations, by log position, append-only. */
export class AttestationRepository {
  constructor(private readonly db: Executor) {}

  /**
   * Stores an attestation; insert it in the transaction that appends its leaf to the log and
   * provisions the device. DatabaseError UNIQUE_VIOLATION (attestations_device_key) when the
   * device already has one, FOREIGN_KEY_VIOLATION (attestations_leaf_fkey) when no log leaf has
   * that index.
   */
  async insert(attestation: NewAttestation): Promise<AttestationRecord> {
    const row = await this.db
      .insertInto('attestations')
      .values({
        leaf_index: attestation.leafIndex,
        device_id: attestation.deviceId,
        envelope: attestation.envelope,
        serial: attestation.serial,
        chip_uid: attestation.chipUid,
        product_id: attestation.productId,
        work_order_id: attestation.workOrderId,
        station_id: attestation.stationId,
      })
      .returning('created_at')
      .executeTakeFirstOrThrow();
    // What was written, not read back: the envelope text and chip UID need no second parse.
    return { ...attestation, chipUid: plainBytes(attestation.chipUid), createdAt: row.created_at };
  }

  async get(leafIndex: number): Promise<AttestationRecord | undefined> {
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0) return undefined;
    const row = await this.db
      .selectFrom('attestations')
      .select(COLUMNS)
      .where('leaf_index', '=', leafIndex)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async getByDevice(deviceId: string): Promise<AttestationRecord | undefined> {
    if (!isUuid(deviceId)) return undefined;
    const row = await this.db
      .selectFrom('attestations')
      .select(COLUMNS)
      .where('device_id', '=', deviceId)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** Attestations matching every given filter, in log order. */
  async search(filters: AttestationSearchFilters, page: Page<number>): Promise<AttestationRecord[]> {
    if (filters.workOrderId !== undefined && !isUuid(filters.workOrderId)) return [];
    let query = this.db.selectFrom('attestations').select(COLUMNS);
    if (filters.serial !== undefined) query = query.where('serial', '=', filters.serial);
    if (filters.chipUid !== undefined) query = query.where('chip_uid', '=', filters.chipUid);
    if (filters.productId !== undefined) query = query.where('product_id', '=', filters.productId);
    if (filters.workOrderId !== undefined) query = query.where('work_order_id', '=', filters.workOrderId);
    if (filters.stationId !== undefined) query = query.where('station_id', '=', filters.stationId);
    if (filters.from !== undefined) query = query.where('created_at', '>=', filters.from);
    if (filters.to !== undefined) query = query.where('created_at', '<', filters.to);
    if (page.after !== undefined) query = query.where('leaf_index', '>', page.after);
    const rows = await query
      .orderBy('leaf_index')
      .limit(page.limit)
      .offset(page.offset ?? 0)
      .execute();
    return rows.map(toRecord);
  }
}
