// The catalog's expected failures (products, layouts), one builder per code that several places
// throw. Details name ids and rules, never a submitted layout or value.
import { AppError, type FieldIssue } from '../errors/app-error.js';

/** PRODUCT_NOT_FOUND; `path` names the request field that referred to it (e.g. `body.productId`). */
export function productNotFound(productId: string, path?: string): AppError {
  const errors: FieldIssue[] = path === undefined ? [] : [{ path, message: 'no such product' }];
  return new AppError('PRODUCT_NOT_FOUND', `no product '${productId}' exists`, { errors });
}

/** PRODUCT_EXISTS: product ids are never reused. */
export function productExists(productId: string, cause: unknown): AppError {
  return new AppError('PRODUCT_EXISTS', `a product '${productId}' already exists`, {
    errors: [{ path: 'body.id', message: 'this product id is taken' }],
    cause,
  });
}

/** LAYOUT_NOT_FOUND. */
export function layoutNotFound(productId: string, version: number, path?: string): AppError {
  const errors: FieldIssue[] = path === undefined ? [] : [{ path, message: 'no such layout version' }];
  return new AppError('LAYOUT_NOT_FOUND', `product '${productId}' has no layout version ${version}`, { errors });
}

/**
 * LAYOUT_VERSION_CONFLICT: the layout's own `version` must be the product's next layout version,
 * so the version in the layout text, its digest and the stored version always agree.
 */
export function layoutVersionConflict(productId: string, expectedVersion: number, cause?: unknown): AppError {
  const message = `version must be ${expectedVersion}: the next layout version of product '${productId}'`;
  return new AppError('LAYOUT_VERSION_CONFLICT', message, {
    errors: [{ path: 'version', message }],
    extensions: { expectedVersion },
    cause,
  });
}
