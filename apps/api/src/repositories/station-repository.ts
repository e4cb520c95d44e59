import type { Executor } from '../database/executor.js';
import type { Page } from './device-records.js';
import { plainBytesOrNull } from './row-values.js';

export interface StationRecord {
  readonly id: string;
  readonly name: string;
  readonly line: string;
  readonly createdAt: Date;
  /** The station's sealing public key (65-byte uncompressed P-256 point); null until registered. */
  readonly sealingPublicKey: Uint8Array | null;
  readonly sealingKeyRegisteredAt: Date | null;
}

export interface NewStation {
  readonly id: string;
  readonly name: string;
  readonly line: string;
  /** Registered with the station (docs/sealing.md, "Registration"); undefined: none yet. */
  readonly sealingPublicKey?: Uint8Array | undefined;
}

const COLUMNS = ['id', 'name', 'line', 'created_at', 'sealing_public_key', 'sealing_key_registered_at'] as const;

interface StationRow {
  id: string;
  name: string;
  line: string;
  created_at: Date;
  sealing_public_key: Uint8Array | null;
  sealing_key_registered_at: Date | null;
}

const toRecord = (row: StationRow): StationRecord => ({
  id: row.id,
  name: row.name,
  line: row.line,
  createdAt: row.created_at,
  sealingPublicKey: plainBytesOrNull(row.sealing_public_key),
  sealingKeyRegisteredAt: row.sealing_key_registered_at,
});

/** stations: the registered programming stations, their line and their sealing public key. */
export class StationRepository {
  constructor(private readonly db: Executor) {}

  /** Stores a station. DatabaseError UNIQUE_VIOLATION (stations_pkey) when the id is taken. */
  async create(station: NewStation): Promise<StationRecord> {
    const { sealingPublicKey, ...rest } = station;
    const row = await this.db
      .insertInto('stations')
      .values({
        ...rest,
        sealing_public_key: sealingPublicKey ?? null,
        sealing_key_registered_at: sealingPublicKey === undefined ? null : new Date(),
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  async get(id: string): Promise<StationRecord | undefined> {
    const row = await this.db.selectFrom('stations').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Registers (or replaces) a station's sealing public key; undefined when there is no such station. */
  async setSealingKey(id: string, sealingPublicKey: Uint8Array): Promise<StationRecord | undefined> {
    const row = await this.db
      .updateTable('stations')
      .set({ sealing_public_key: sealingPublicKey, sealing_key_registered_at: new Date() })
      .where('id', '=', id)
      .returning(COLUMNS)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** Stations by id, after the id `page.after`, at most `page.limit` (all without one). */
  async list(page: Partial<Page> = {}): Promise<StationRecord[]> {
    let query = this.db.selectFrom('stations').select(COLUMNS);
    if (page.after !== undefined) query = query.where('id', '>', page.after);
    const rows = await query
      .orderBy('id')
      .$if(page.limit !== undefined, (q) => q.limit(page.limit ?? 0))
      .execute();
    return rows.map(toRecord);
  }
}
