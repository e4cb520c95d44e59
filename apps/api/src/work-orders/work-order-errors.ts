// The work orders' expected failures, as ApiErrors with stable codes.
import { ApiError } from '../http/api-error.js';

/** 404 WORK_ORDER_NOT_FOUND. */
export function workOrderNotFound(id: string): ApiError {
  return new ApiError(404, 'WORK_ORDER_NOT_FOUND', `no work order has id ${id}`);
}

/** 409 PRODUCT_HAS_NO_LAYOUT: a work order needs a layout to provision. */
export function productHasNoLayout(productId: string): ApiError {
  return new ApiError(409, 'PRODUCT_HAS_NO_LAYOUT', `product '${productId}' has no layout yet: add one first`, {
    errors: [{ path: 'body.productId', message: 'the product has no layout' }],
  });
}

/** 500 WORK_ORDER_RECORD_INVALID: a stored close report that does not read back (a server fault). */
export function workOrderRecordInvalid(id: string, cause: unknown): ApiError {
  return new ApiError(500, 'WORK_ORDER_RECORD_INVALID', `the stored report of work order ${id} is unreadable`, {
    cause,
  });
}
