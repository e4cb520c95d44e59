// What a device request resolves to before anything is issued: the product, the layout and (for a
// work-order request) the work order, with the cheap refusals made early. The decisive quota check
// is WorkOrderRepository.tryIssue inside the creating transaction; these reads only spare the HSM
// work of a request that cannot succeed.
import { productNotFound } from '../catalogue/catalog-errors.js';
import type { LayoutCache, ResolvedLayout } from '../catalogue/layout-cache.js';
import type { LayoutRepository } from '../repositories/layout-repository.js';
import type { ProductRecord, ProductRepository } from '../repositories/product-repository.js';
import type { WorkOrderRecord, WorkOrderRepository } from '../repositories/work-order-repository.js';
import type { CreateDeviceRequest } from './devices.schemas.js';
import { productHasNoLayout, workOrderClosed, workOrderExhausted, workOrderNotFound } from './provisioning-errors.js';

export interface RequestTarget {
  readonly product: ProductRecord;
  readonly layout: ResolvedLayout;
  /** Null for a request by product (no quota). */
  readonly workOrder: WorkOrderRecord | null;
  /**
   * Whether the request's serial (when it gives one) was taken when the target was read; undefined
   * when that was not checked then (a request by product).
   */
  readonly serialTaken?: boolean;
}

/** The repositories a target is read from. */
export interface TargetRepositories {
  readonly products: ProductRepository;
  readonly layouts: LayoutRepository;
  readonly workOrders: WorkOrderRepository;
}

/**
 * @throws AppError WORK_ORDER_NOT_FOUND / PRODUCT_NOT_FOUND, WORK_ORDER_CLOSED /
 *   WORK_ORDER_EXHAUSTED (as last read) / PRODUCT_HAS_NO_LAYOUT.
 */
export async function resolveTarget(
  repositories: TargetRepositories,
  layouts: LayoutCache,
  request: CreateDeviceRequest,
): Promise<RequestTarget> {
  if (request.workOrderId !== undefined) return byWorkOrder(repositories, layouts, request.workOrderId, request.serial);
  const productId = request.productId ?? '';
  const product = await repositories.products.get(productId);
  if (product === undefined) throw productNotFound(productId, 'body.productId');
  const latest = await repositories.layouts.latest(productId);
  if (latest === undefined) throw productHasNoLayout(productId);
  return { product, layout: await layouts.resolve(latest), workOrder: null };
}

async function byWorkOrder(
  repositories: TargetRepositories,
  layouts: LayoutCache,
  workOrderId: string,
  serial: string | undefined,
): Promise<RequestTarget> {
  const found = await repositories.workOrders.getWithProduct(workOrderId, serial);
  if (found === undefined) throw workOrderNotFound(workOrderId);
  const { order: workOrder, product } = found;
  assertIssuable(workOrder);
  const layout = await layouts.get(product.id, workOrder.layoutVersion);
  return { product, layout, workOrder, ...(serial === undefined ? {} : { serialTaken: found.serialTaken }) };
}

/** @throws AppError WORK_ORDER_CLOSED or WORK_ORDER_EXHAUSTED. */
export function assertIssuable(workOrder: WorkOrderRecord): void {
  if (workOrder.status !== 'open') throw workOrderClosed(workOrder.id);
  if (workOrder.issued >= workOrder.quantity) throw workOrderExhausted(workOrder.id, workOrder.quantity);
}
