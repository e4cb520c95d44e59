import { Inject, Injectable } from '@nestjs/common';
import { CONSTRAINTS } from '../database/constraints.js';
import { isDatabaseError } from '../database/errors.js';
import { ProductRepository, type ProductRecord } from '../repositories/product-repository.js';
import { productExists, productNotFound } from './catalog-errors.js';
import { pageById, type PageQuery } from '../http/cursor.js';
import type { CreateProductRequest, ProductList, ProductView } from './products.schemas.js';

function toView(record: ProductRecord): ProductView {
  return {
    id: record.id,
    name: record.name,
    line: record.line,
    serialPrefix: record.serialPrefix,
    latestLayoutVersion: record.latestLayoutVersion,
    createdAt: record.createdAt.toISOString(),
  };
}

/** Products: what is made and on which line (`/v1/products`). */
@Injectable()
export class ProductsService {
  constructor(@Inject(ProductRepository) private readonly products: ProductRepository) {}

  /**
   * Registers a product; its id is final.
   *
   * @throws AppError PRODUCT_EXISTS when the id is taken.
   */
  async create(request: CreateProductRequest): Promise<ProductView> {
    try {
      return toView(await this.products.create(request));
    } catch (error) {
      if (isDatabaseError(error, 'UNIQUE_VIOLATION', CONSTRAINTS.productPrimaryKey))
        throw productExists(request.id, error);
      throw error;
    }
  }

  /** One page of the list (http/cursor.ts); without a query, all. @throws AppError CURSOR_INVALID. */
  async list(query?: PageQuery): Promise<ProductList> {
    const page = await pageById('products', query, (next) => this.products.list(next));
    return { products: page.items.map(toView), nextCursor: page.nextCursor };
  }

  /** @throws AppError PRODUCT_NOT_FOUND. */
  async get(id: string): Promise<ProductView> {
    const record = await this.products.get(id);
    if (record === undefined) throw productNotFound(id);
    return toView(record);
  }
}
