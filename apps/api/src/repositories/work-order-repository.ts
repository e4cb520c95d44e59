import { sql } from 'kysely';
import type { Executor } from '../database/executor.js';
import { jsonText, type JsonValue } from '../database/json.js';
import type { DeviceState } from '#ingrain/contracts';
import type { WorkOrderStatus } from '../database/tables.js';
import { toProductRecord, type ProductRecord } from './product-repository.js';
import { isUuid, newId } from './row-values.js';

export interface WorkOrderRecord {
  readonly id: string;
  readonly productId: string;
  readonly layoutVersion: number;
  readonly quantity: number;
  /** Identities handed out so far (tryIssue); never above quantity. */
  readonly issued: number;
  readonly status: WorkOrderStatus;
  /** The signed close report, once closed. */
  readonly report: JsonValue | null;
  readonly createdAt: Date;
  readonly closedAt: Date | null;
}

export interface NewWorkOrder {
  readonly productId: string;
  readonly layoutVersion: number;
  readonly quantity: number;
}

/** Filters of WorkOrderRepository.list (every given one must match). */
export interface WorkOrderFilters {
  readonly status?: WorkOrderStatus | undefined;
  readonly productId?: string | undefined;
  /** Created at or after. */
  readonly from?: Date | undefined;
  /** Created before. */
  readonly to?: Date | undefined;
}

/** A position in the newest-first list: the exact creation time (microseconds, as text) and the id. */
export interface WorkOrderListKey {
  readonly createdAt: string;
  readonly id: string;
}

/** A listed work order with its sort key. */
export interface ListedWorkOrder {
  readonly record: WorkOrderRecord;
  readonly key: WorkOrderListKey;
}

/** Work order progress: the plan, the quota used, and where its devices are now. */
export interface WorkOrderCounts {
  readonly planned: number;
  readonly issued: number;
  readonly queued: number;
  readonly claimed: number;
  readonly provisioned: number;
  /** Devices that will never be provisioned: quarantined + scrapped. */
  readonly failed: number;
  readonly quarantined: number;
  readonly scrapped: number;
}

const COLUMNS = [
  'id',
  'product_id',
  'layout_version',
  'quantity',
  'issued',
  'status',
  'report',
  'created_at',
  'closed_at',
] as const;

interface WorkOrderRow {
  id: string;
  product_id: string;
  layout_version: number;
  quantity: number;
  issued: number;
  status: WorkOrderStatus;
  report: JsonValue | null;
  created_at: Date;
  closed_at: Date | null;
}

function toRecord(row: WorkOrderRow): WorkOrderRecord {
  return {
    id: row.id,
    productId: row.product_id,
    layoutVersion: row.layout_version,
    quantity: row.quantity,
    issued: row.issued,
    status: row.status,
    report: row.report,
    createdAt: row.created_at,
    closedAt: row.closed_at,
  };
}

/** work_orders: a quantity of one product at one layout version, and its issuing quota. */
export class WorkOrderRepository {
  constructor(private readonly db: Executor) {}

  /**
   * Opens a work order. DatabaseError FOREIGN_KEY_VIOLATION (work_orders_layout_fkey) when the
   * product has no such layout version, CHECK_VIOLATION for a quantity below 1.
   */
  async create(order: NewWorkOrder): Promise<WorkOrderRecord> {
    const row = await this.db
      .insertInto('work_orders')
      .values({
        id: newId(),
        product_id: order.productId,
        layout_version: order.layoutVersion,
        quantity: order.quantity,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  /**
   * The work order. `forUpdate` locks its row until the caller's transaction ends (use it inside a
   * transaction, e.g. to count and close without a device being issued in between).
   */
  async get(id: string, options: { forUpdate?: boolean } = {}): Promise<WorkOrderRecord | undefined> {
    if (!isUuid(id)) return undefined;
    const query = this.db.selectFrom('work_orders').select(COLUMNS).where('id', '=', id);
    const row = await (options.forUpdate ? query.forUpdate() : query).executeTakeFirst();
    return row && toRecord(row);
  }

  /**
   * The work order with its product, in one read (what a device request resolves first); with
   * `serial`, also whether the product already has a device with that serial. Undefined when the
   * work order is unknown.
   */
  async getWithProduct(
    id: string,
    serial?: string,
  ): Promise<{ order: WorkOrderRecord; product: ProductRecord; serialTaken: boolean } | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db
      .selectFrom('work_orders as o')
      .innerJoin('products as p', 'p.id', 'o.product_id')
      .select(COLUMNS.map((column) => `o.${column}` as const))
      .select([
        'p.name as product_name',
        'p.line as product_line',
        'p.serial_prefix as product_serial_prefix',
        'p.serial_next as product_serial_next',
        'p.layout_version_latest as product_layout_version_latest',
        'p.created_at as product_created_at',
      ])
      .select(
        (serial === undefined
          ? sql<boolean>`false`
          : sql<boolean>`exists (select 1 from devices d where d.product_id = o.product_id and d.serial = ${serial})`
        ).as('serial_taken'),
      )
      .where('o.id', '=', id)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      order: toRecord(row),
      product: toProductRecord({
        id: row.product_id,
        name: row.product_name,
        line: row.product_line,
        serial_prefix: row.product_serial_prefix,
        serial_next: row.product_serial_next,
        layout_version_latest: row.product_layout_version_latest,
        created_at: row.product_created_at,
      }),
      serialTaken: row.serial_taken === true,
    };
  }

  /**
   * Takes one unit of the quota in a single conditional UPDATE: true when issued was below quantity
   * and the order open; false when the quota is used up, the order closed or unknown. Never lets
   * issued pass quantity, however many callers race (the row lock orders them).
   */
  async tryIssue(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const row = await this.db
      .updateTable('work_orders')
      .set((eb) => ({ issued: eb('issued', '+', 1) }))
      .where('id', '=', id)
      .where('status', '=', 'open')
      .where((eb) => eb('issued', '<', eb.ref('quantity')))
      .returning('issued')
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Locks the work order's row until the caller's transaction ends and says how many units of its
   * quota are left: 0 when it is closed or used up, undefined when unknown. Use inside a
   * transaction, then {@link addIssued} what was used: concurrent takers (other processes too)
   * wait on the lock, so the quota holds across batches.
   */
  async lockQuota(id: string): Promise<number | undefined> {
    const order = await this.get(id, { forUpdate: true });
    if (order === undefined) return undefined;
    return order.status === 'open' ? Math.max(0, order.quantity - order.issued) : 0;
  }

  /**
   * Counts `count` more identities as issued, under the lock {@link lockQuota} took. The CHECK
   * constraint (issued <= quantity) refuses going past the quota (DatabaseError CHECK_VIOLATION).
   */
  async addIssued(id: string, count: number): Promise<void> {
    if (count === 0) return;
    await this.db
      .updateTable('work_orders')
      .set((eb) => ({ issued: eb('issued', '+', count) }))
      .where('id', '=', id)
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow();
  }

  /**
   * Closes an open work order with its signed report. Undefined when it is unknown or already
   * closed (closing is final: the first report stays).
   */
  async close(id: string, report: JsonValue): Promise<WorkOrderRecord | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db
      .updateTable('work_orders')
      .set({ status: 'closed', report: jsonText(report), closed_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .returning(COLUMNS)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** Progress of the work order, counted from its devices; undefined when it does not exist. */
  async counts(id: string): Promise<WorkOrderCounts | undefined> {
    const order = await this.get(id);
    if (order === undefined) return undefined;
    return (await this.countsOf([order])).get(id);
  }

  /** Progress of each given work order (one grouped query), by id. */
  async countsOf(orders: readonly WorkOrderRecord[]): Promise<Map<string, WorkOrderCounts>> {
    const counts = new Map<string, WorkOrderCounts>();
    if (orders.length === 0) return counts;
    const rows = await this.db
      .selectFrom('devices')
      .select(['work_order_id', 'state', (eb) => eb.fn.countAll<number>().as('count')])
      .where(
        'work_order_id',
        'in',
        orders.map((order) => order.id),
      )
      .groupBy(['work_order_id', 'state'])
      .execute();
    for (const order of orders) {
      const byState = new Map<DeviceState, number>(
        rows.filter((row) => row.work_order_id === order.id).map((row) => [row.state, Number(row.count)]),
      );
      counts.set(order.id, countsFrom(order, byState));
    }
    return counts;
  }

  /**
   * Work orders matching every filter, newest first (creation time, then id, both descending),
   * starting after `after`; at most `limit`.
   */
  async list(
    filters: WorkOrderFilters,
    page: { limit: number; after?: WorkOrderListKey | undefined },
  ): Promise<ListedWorkOrder[]> {
    let query = this.db
      .selectFrom('work_orders')
      .select([...COLUMNS, sql<string>`${sql.raw(EXACT_CREATED_AT)}`.as('created_key')]);
    if (filters.status !== undefined) query = query.where('status', '=', filters.status);
    if (filters.productId !== undefined) query = query.where('product_id', '=', filters.productId);
    if (filters.from !== undefined) query = query.where('created_at', '>=', filters.from);
    if (filters.to !== undefined) query = query.where('created_at', '<', filters.to);
    const { after } = page;
    if (after !== undefined) {
      query = query.where(sql<boolean>`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`);
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
    return rows.map((row) => ({ record: toRecord(row), key: { createdAt: row.created_key, id: row.id } }));
  }
}

/** created_at exactly, as RFC 3339 text in UTC with microseconds (a JS Date would drop them). */
const EXACT_CREATED_AT = `to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function countsFrom(order: WorkOrderRecord, byState: ReadonlyMap<DeviceState, number>): WorkOrderCounts {
  const count = (state: DeviceState): number => byState.get(state) ?? 0;
  return {
    planned: order.quantity,
    issued: order.issued,
    queued: count('queued'),
    claimed: count('claimed'),
    provisioned: count('provisioned'),
    failed: count('quarantined') + count('scrapped'),
    quarantined: count('quarantined'),
    scrapped: count('scrapped'),
  };
}
