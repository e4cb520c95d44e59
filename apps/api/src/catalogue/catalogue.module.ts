import { Module } from '@nestjs/common';
import { Database } from '../database/database.js';
import { LayoutRepository } from '../repositories/layout-repository.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { LayoutCache } from './layout-cache.js';
import { LayoutsController } from './layouts.controller.js';
import { LayoutsService } from './layouts.service.js';
import { ProductsController } from './products.controller.js';
import { ProductsService } from './products.service.js';

/**
 * The catalogue: products and their layouts (`/v1/products`, `/v1/products/{id}/layouts` + render),
 * and {@link LayoutCache}, the validated stored layouts the device hops issue, claim and judge under.
 */
@Module({
  controllers: [ProductsController, LayoutsController],
  providers: [
    ProductsService,
    LayoutsService,
    LayoutCache,
    { provide: ProductRepository, useFactory: (db: Database) => new ProductRepository(db.kysely), inject: [Database] },
    { provide: LayoutRepository, useFactory: (db: Database) => new LayoutRepository(db.kysely), inject: [Database] },
  ],
  exports: [ProductsService, LayoutsService, LayoutCache],
})
export class CatalogueModule {}
