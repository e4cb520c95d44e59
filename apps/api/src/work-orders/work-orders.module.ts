import { Module } from '@nestjs/common';
import { Database } from '../database/database.js';
import { LayoutRepository } from '../repositories/layout-repository.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { WorkOrderRepository } from '../repositories/work-order-repository.js';
import { WorkOrdersController } from './work-orders.controller.js';
import { WorkOrdersService } from './work-orders.service.js';

/** `/v1/work-orders` (mes). Needs TrustModule (global) for the attestation signer. */
@Module({
  controllers: [WorkOrdersController],
  providers: [
    WorkOrdersService,
    { provide: ProductRepository, useFactory: (db: Database) => new ProductRepository(db.kysely), inject: [Database] },
    { provide: LayoutRepository, useFactory: (db: Database) => new LayoutRepository(db.kysely), inject: [Database] },
    {
      provide: WorkOrderRepository,
      useFactory: (db: Database) => new WorkOrderRepository(db.kysely),
      inject: [Database],
    },
  ],
  exports: [WorkOrdersService],
})
export class WorkOrdersModule {}
