import { sql } from 'kysely';
import type { Executor } from '../database/executor.js';
import { jsonText, type JsonValue } from '../database/json.js';

export interface LayoutRecord {
  readonly productId: string;
  readonly version: number;
  /** The layout exactly as submitted (YAML or JSON text). */
  readonly sourceText: string;
  /** The normalized layout (JSON). */
  readonly definition: JsonValue;
  /** libs/otp layoutDigest(), lower-case hex. */
  readonly digest: string;
  readonly family: string;
  readonly createdAt: Date;
}

export interface NewLayout {
  readonly sourceText: string;
  readonly definition: JsonValue;
  readonly digest: string;
  readonly family: string;
}

const COLUMNS = ['product_id', 'version', 'source_text', 'definition', 'digest', 'family', 'created_at'] as const;

interface LayoutRow {
  product_id: string;
  version: number;
  source_text: string;
  definition: JsonValue;
  digest: string;
  family: string;
  created_at: Date;
}

function toRecord(row: LayoutRow): LayoutRecord {
  return {
    productId: row.product_id,
    version: row.version,
    sourceText: row.source_text,
    definition: row.definition,
    digest: row.digest,
    family: row.family,
    createdAt: row.created_at,
  };
}

/** layouts: versioned OTP layouts of a product. Rows are never updated (the table refuses it). */
export class LayoutRepository {
  constructor(private readonly db: Executor) {}

  /**
   * Stores the layout as the product's next version (1, 2, …) in one statement: the product row's
   * version counter is bumped and the layout inserted together, so concurrent adds get distinct
   * versions. Undefined when the product does not exist. DatabaseError CHECK_VIOLATION for a digest
   * that is not 64 lower-case hex digits.
   */
  async add(productId: string, layout: NewLayout): Promise<LayoutRecord | undefined> {
    const row = await this.db
      .with('bumped', (db) =>
        db
          .updateTable('products')
          .set((eb) => ({ layout_version_latest: eb('layout_version_latest', '+', 1) }))
          .where('id', '=', productId)
          .returning(['id', 'layout_version_latest']),
      )
      .insertInto('layouts')
      .columns(['product_id', 'version', 'source_text', 'definition', 'digest', 'family'])
      .expression((eb) =>
        eb
          .selectFrom('bumped')
          .select([
            'bumped.id',
            'bumped.layout_version_latest',
            sql<string>`${layout.sourceText}::text`.as('source_text'),
            sql<string>`${jsonText(layout.definition)}::text::jsonb`.as('definition'),
            sql<string>`${layout.digest}::text`.as('digest'),
            sql<string>`${layout.family}::text`.as('family'),
          ]),
      )
      .returning(COLUMNS)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async get(productId: string, version: number): Promise<LayoutRecord | undefined> {
    if (!Number.isSafeInteger(version)) return undefined;
    const row = await this.db
      .selectFrom('layouts')
      .select(COLUMNS)
      .where('product_id', '=', productId)
      .where('version', '=', version)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** The product's highest version, if it has any layout. */
  async latest(productId: string): Promise<LayoutRecord | undefined> {
    const row = await this.db
      .selectFrom('layouts')
      .select(COLUMNS)
      .where('product_id', '=', productId)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** Every version of the product, oldest first. */
  async list(productId: string): Promise<LayoutRecord[]> {
    const rows = await this.db
      .selectFrom('layouts')
      .select(COLUMNS)
      .where('product_id', '=', productId)
      .orderBy('version')
      .execute();
    return rows.map(toRecord);
  }
}
