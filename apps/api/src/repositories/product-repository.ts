import type { Executor } from '../database/executor.js';

export interface ProductRecord {
  /** Slug, e.g. `sensor-node`. */
  readonly id: string;
  readonly name: string;
  /** The production line: its BullMQ queue is `ingrain:line:<line>`. */
  readonly line: string;
  readonly serialPrefix: string;
  /** The next number nextSerial() hands out. */
  readonly serialNext: number;
  /** Highest layout version added so far (0: none yet). */
  readonly latestLayoutVersion: number;
  readonly createdAt: Date;
}

export interface NewProduct {
  readonly id: string;
  readonly name: string;
  readonly line: string;
  readonly serialPrefix?: string | undefined;
}

const COLUMNS = ['id', 'name', 'line', 'serial_prefix', 'serial_next', 'layout_version_latest', 'created_at'] as const;

interface ProductRow {
  id: string;
  name: string;
  line: string;
  serial_prefix: string;
  serial_next: number;
  layout_version_latest: number;
  created_at: Date;
}

function toRecord(row: ProductRow): ProductRecord {
  return {
    id: row.id,
    name: row.name,
    line: row.line,
    serialPrefix: row.serial_prefix,
    serialNext: row.serial_next,
    latestLayoutVersion: row.layout_version_latest,
    createdAt: row.created_at,
  };
}

/** products: what is made, on which line, and its serial number sequence. */
export class ProductRepository {
  constructor(private readonly db: Executor) {}

  /** Stores a product. DatabaseError UNIQUE_VIOLATION (products_pkey) when the id is taken. */
  async create(product: NewProduct): Promise<ProductRecord> {
    const row = await this.db
      .insertInto('products')
      .values({ id: product.id, name: product.name, line: product.line, serial_prefix: product.serialPrefix ?? '' })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  async get(id: string): Promise<ProductRecord | undefined> {
    const row = await this.db.selectFrom('products').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Every product, by id. */
  async list(): Promise<ProductRecord[]> {
    const rows = await this.db.selectFrom('products').select(COLUMNS).orderBy('id').execute();
    return rows.map(toRecord);
  }

  /**
   * Takes the next number of the product's serial sequence (1, 2, 3…) in one atomic UPDATE: two
   * concurrent callers never get the same number. A number taken by a transaction that rolls back
   * is given back with it. Undefined for an unknown product.
   */
  async nextSerial(productId: string): Promise<number | undefined> {
    const row = await this.db
      .updateTable('products')
      .set((eb) => ({ serial_next: eb('serial_next', '+', 1) }))
      .where('id', '=', productId)
      .returning((eb) => eb('serial_next', '-', 1).as('taken'))
      .executeTakeFirst();
    return row?.taken;
  }
}
