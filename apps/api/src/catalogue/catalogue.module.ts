import { Module } from '@nestjs/common';
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
  providers: [ProductsService, LayoutsService, LayoutCache],
  exports: [ProductsService, LayoutsService, LayoutCache],
})
export class CatalogueModule {}
