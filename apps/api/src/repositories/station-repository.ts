import type { Executor } from '../database/executor.js';

export interface StationRecord {
  readonly id: string;
  readonly name: string;
  readonly line: string;
  readonly createdAt: Date;
}

export interface NewStation {
  readonly id: string;
  readonly name: string;
  readonly line: string;
}

const COLUMNS = ['id', 'name', 'line', 'created_at'] as const;

const toRecord = (row: { id: string; name: string; line: string; created_at: Date }): StationRecord => ({
  id: row.id,
  name: row.name,
  line: row.line,
  createdAt: row.created_at,
});

/** stations: the registered programming stations and their line. */
export class StationRepository {
  constructor(private readonly db: Executor) {}

  /** Stores a station. DatabaseError UNIQUE_VIOLATION (stations_pkey) when the id is taken. */
  async create(station: NewStation): Promise<StationRecord> {
    const row = await this.db.insertInto('stations').values(station).returning(COLUMNS).executeTakeFirstOrThrow();
    return toRecord(row);
  }

  async get(id: string): Promise<StationRecord | undefined> {
    const row = await this.db.selectFrom('stations').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Every station, by id. */
  async list(): Promise<StationRecord[]> {
    const rows = await this.db.selectFrom('stations').select(COLUMNS).orderBy('id').execute();
    return rows.map(toRecord);
  }
}
