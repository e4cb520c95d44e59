// The work orders' expected failures, one builder per code that several places throw.
import { AppError, type FieldIssue } from '../errors/app-error.js';

/** WORK_ORDER_NOT_FOUND; `path` names the request field that referred to it (e.g. `body.workOrderId`). */
export function workOrderNotFound(id: string, path?: string): AppError {
  const errors: FieldIssue[] = path === undefined ? [] : [{ path, message: 'no such work order' }];
  return new AppError('WORK_ORDER_NOT_FOUND', `no work order has id ${id}`, { errors });
}

/** PRODUCT_HAS_NO_LAYOUT: a work order, and each of its devices, needs a layout. */
export function productHasNoLayout(productId: string): AppError {
  return new AppError('PRODUCT_HAS_NO_LAYOUT', `product '${productId}' has no layout yet: add one first`, {
    errors: [{ path: 'body.productId', message: 'the product has no layout' }],
  });
}

/** WORK_ORDER_RECORD_INVALID: a stored close report that does not read back (a server fault). */
export function workOrderRecordInvalid(id: string, cause: unknown): AppError {
  return new AppError('WORK_ORDER_RECORD_INVALID', `the stored report of work order ${id} is unreadable`, {
    cause,
  });
}
