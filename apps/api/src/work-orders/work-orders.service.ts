import { Inject, Injectable } from '@nestjs/common';
import { bytesToHex } from '#ingrain/encoding';
import { z } from 'zod';
import { layoutNotFound, productNotFound } from '../catalogue/catalog-errors.js';
import { cursorPage, decodeCursor, timestampKey } from '../http/cursor.js';
import { LayoutRepository } from '../repositories/layout-repository.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { Transactions, type Repositories } from '../repositories/transactions.js';
import {
  WorkOrderRepository,
  type WorkOrderCounts,
  type WorkOrderRecord,
} from '../repositories/work-order-repository.js';
import { TrustService } from '../trust/trust.service.js';
import { envelopeJson, reportOf, storedEnvelope } from './stored-report.js';
import { signWorkOrderReport } from './work-order-envelope.js';
import { productHasNoLayout, workOrderNotFound } from './work-order-errors.js';
import { buildWorkOrderReport } from './work-order-report.js';
import type {
  ClosedWorkOrder,
  CreateWorkOrderRequest,
  WorkOrderList,
  WorkOrderListQuery,
  WorkOrderView,
} from './work-orders.schemas.js';

/** The list name in work order cursors (http/cursor.ts). */
const WORK_ORDER_LIST = 'work-orders';
const workOrderKey = z.tuple([timestampKey, z.uuid()]);

function toView(record: WorkOrderRecord, counts: WorkOrderCounts): WorkOrderView {
  return {
    id: record.id,
    productId: record.productId,
    layoutVersion: record.layoutVersion,
    quantity: record.quantity,
    status: record.status,
    createdAt: record.createdAt.toISOString(),
    closedAt: record.closedAt?.toISOString() ?? null,
    counts,
    reportEnvelope: record.report === null ? null : storedEnvelope(record.id, record.report),
  };
}

const noDevices = (order: WorkOrderRecord): WorkOrderCounts => ({
  planned: order.quantity,
  issued: order.issued,
  queued: 0,
  claimed: 0,
  provisioned: 0,
  failed: 0,
  quarantined: 0,
  scrapped: 0,
});

/**
 * Work orders (`/v1/work-orders`): a quantity of one product at one layout version, its progress,
 * and its close report signed by the attestation key.
 */
@Injectable()
export class WorkOrdersService {
  constructor(
    @Inject(Transactions) private readonly transactions: Transactions,
    @Inject(ProductRepository) private readonly products: ProductRepository,
    @Inject(LayoutRepository) private readonly layouts: LayoutRepository,
    @Inject(WorkOrderRepository) private readonly workOrders: WorkOrderRepository,
    @Inject(TrustService) private readonly trust: TrustService,
  ) {}

  /**
   * Opens a work order at the given layout version, or the product's latest.
   *
   * @throws AppError PRODUCT_NOT_FOUND, LAYOUT_NOT_FOUND, PRODUCT_HAS_NO_LAYOUT.
   */
  async create(request: CreateWorkOrderRequest): Promise<WorkOrderView> {
    const product = await this.products.get(request.productId);
    if (product === undefined) throw productNotFound(request.productId, 'body.productId');
    const version = request.layoutVersion ?? product.latestLayoutVersion;
    if (version === 0) throw productHasNoLayout(product.id);
    if ((await this.layouts.get(product.id, version)) === undefined) {
      throw layoutNotFound(product.id, version, 'body.layoutVersion');
    }
    const order = await this.workOrders.create({
      productId: product.id,
      layoutVersion: version,
      quantity: request.quantity,
    });
    return toView(order, noDevices(order));
  }

  /** @throws AppError WORK_ORDER_NOT_FOUND. */
  async get(id: string): Promise<WorkOrderView> {
    const order = await this.workOrders.get(id);
    const counts = await this.workOrders.counts(id);
    if (order === undefined || counts === undefined) throw workOrderNotFound(id);
    return toView(order, counts);
  }

  /**
   * Work orders matching every filter, newest first, each with its counts.
   *
   * @throws AppError CURSOR_INVALID.
   */
  async list(query: WorkOrderListQuery): Promise<WorkOrderList> {
    const { limit, cursor, ...filters } = query;
    const after = cursor === undefined ? undefined : decodeCursor(WORK_ORDER_LIST, cursor, workOrderKey);
    const rows = await this.workOrders.list(filters, {
      limit: limit + 1,
      after: after && { createdAt: after[0], id: after[1] },
    });
    const page = cursorPage(WORK_ORDER_LIST, rows, limit, (row) => [row.key.createdAt, row.key.id]);
    const orders = page.items.map((row) => row.record);
    const counts = await this.workOrders.countsOf(orders);
    return {
      workOrders: orders.map((order) => toView(order, counts.get(order.id) ?? noDevices(order))),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * Closes a work order: from now on it issues no device. The first close builds the report from
   * its devices and the log's latest checkpoint, signs it with the attestation key and stores it,
   * all under the work order's row lock (no device is issued in between); every later close
   * returns that same stored report.
   *
   * @throws AppError WORK_ORDER_NOT_FOUND; AppError WORK_ORDER_COUNTS_INCONSISTENT;
   *   HsmError from the signer.
   */
  async close(id: string, closedBy: string): Promise<ClosedWorkOrder> {
    return this.transactions.run(async (repositories) => {
      const orders = repositories.workOrders;
      const order = await orders.get(id, { forUpdate: true });
      if (order === undefined) throw workOrderNotFound(id);
      const closed = order.status === 'closed' ? order : await this.#closeOpen(repositories, order, closedBy);
      const counts = await orders.counts(id);
      if (counts === undefined) throw workOrderNotFound(id);
      const workOrder = toView(closed, counts);
      if (workOrder.reportEnvelope === null) throw new Error(`work order ${id} is closed without a report`);
      return { workOrder, envelope: workOrder.reportEnvelope, report: reportOf(id, workOrder.reportEnvelope) };
    });
  }

  async #closeOpen(repositories: Repositories, order: WorkOrderRecord, closedBy: string): Promise<WorkOrderRecord> {
    const layout = await repositories.layouts.get(order.productId, order.layoutVersion);
    if (layout === undefined) throw new Error(`work order ${order.id} refers to a missing layout`);
    // Devices first, then the checkpoint: every leaf in the list is then inside the anchored tree.
    const devices = await repositories.workOrderDevices.list(order.id);
    const checkpoint = await repositories.log.readLatestCheckpoint();
    const report = buildWorkOrderReport({
      workOrder: { ...order, layoutDigestSha256: layout.digest },
      devices,
      closedAt: new Date(),
      closedBy,
      log:
        checkpoint === undefined || checkpoint.treeSize === 0
          ? null
          : { treeSize: checkpoint.treeSize, rootHashSha256: bytesToHex(checkpoint.rootHash) },
    });
    const envelope = await signWorkOrderReport(report, this.trust.attestationSigner);
    const closed = await repositories.workOrders.close(order.id, envelopeJson(envelope));
    if (closed === undefined) throw new Error(`work order ${order.id} changed while locked`);
    return closed;
  }
}
