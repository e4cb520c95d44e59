// The catalog's expected failures (products, layouts), as ApiErrors with stable codes. Details name
// ids and rules, never a submitted layout or value.
import { ApiError, type FieldIssue } from '../http/api-error.js';

/** 404 PRODUCT_NOT_FOUND; `path` names the request field that referred to it (e.g. `body.productId`). */
export function productNotFound(productId: string, path?: string): ApiError {
  const errors: FieldIssue[] = path === undefined ? [] : [{ path, message: 'no such product' }];
  return new ApiError(404, 'PRODUCT_NOT_FOUND', `no product '${productId}' exists`, { errors });
}

/** 409 PRODUCT_EXISTS: product ids are never reused. */
export function productExists(productId: string, cause: unknown): ApiError {
  return new ApiError(409, 'PRODUCT_EXISTS', `a product '${productId}' already exists`, {
    errors: [{ path: 'body.id', message: 'this product id is taken' }],
    cause,
  });
}

/** 404 LAYOUT_NOT_FOUND. */
export function layoutNotFound(productId: string, version: number, path?: string): ApiError {
  const errors: FieldIssue[] = path === undefined ? [] : [{ path, message: 'no such layout version' }];
  return new ApiError(404, 'LAYOUT_NOT_FOUND', `product '${productId}' has no layout version ${version}`, { errors });
}

/**
 * 409 LAYOUT_VERSION_CONFLICT: the layout's own `version` must be the product's next layout version,
 * so the version in the layout text, its digest and the stored version always agree.
 */
export function layoutVersionConflict(productId: string, expectedVersion: number, cause?: unknown): ApiError {
  const message = `version must be ${expectedVersion}: the next layout version of product '${productId}'`;
  return new ApiError(409, 'LAYOUT_VERSION_CONFLICT', message, {
    errors: [{ path: 'version', message }],
    extensions: { expectedVersion },
    cause,
  });
}
