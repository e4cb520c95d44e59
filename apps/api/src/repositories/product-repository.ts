import type { Executor } from '../database/executor.js';
import type { Page } from './device-records.js';

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

export interface ProductRow {
  id: string;
  name: string;
  line: string;
  serial_prefix: string;
  serial_next: number;
  layout_version_latest: number;
  created_at: Date;
}

export function toProductRecord(row: ProductRow): ProductRecord {
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
    return toProductRecord(row);
  }

  async get(id: string): Promise<ProductRecord | undefined> {
    const row = await this.db.selectFrom('products').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && toProductRecord(row);
  }

  /** Products by id, after the id `page.after`, at most `page.limit` (all without one). */
  async list(page: Partial<Page> = {}): Promise<ProductRecord[]> {
    let query = this.db.selectFrom('products').select(COLUMNS);
    if (page.after !== undefined) query = query.where('id', '>', page.after);
    const rows = await query
      .orderBy('id')
      .$if(page.limit !== undefined, (q) => q.limit(page.limit ?? 0))
      .execute();
    return rows.map(toProductRecord);
  }

  /**
   * Takes the next number of the product's serial sequence (1, 2, 3…) in one atomic UPDATE: two
   * concurrent callers never get the same number. A number taken by a transaction that rolls back
   * is given back with it. Undefined for an unknown product.
   */
  /**
   * Takes `count` consecutive numbers of the product's serial sequence in one atomic UPDATE: the
   * first of them (the rest follow it), undefined for an unknown product. As nextSerial, numbers
   * taken by a transaction that rolls back or a request that fails are skipped, never reused.
   */
  async nextSerials(productId: string, count: number): Promise<number | undefined> {
    const row = await this.db
      .updateTable('products')
      .set((eb) => ({ serial_next: eb('serial_next', '+', count) }))
      .where('id', '=', productId)
      .returning((eb) => eb('serial_next', '-', count).as('first'))
      .executeTakeFirst();
    return row?.first;
  }

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
