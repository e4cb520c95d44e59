import { Global, Module, type Provider } from '@nestjs/common';
import { Database } from '../database/database.js';
import type { Executor } from '../database/executor.js';
import { AttestationRepository } from './attestation-repository.js';
import { ConsoleSessionRepository } from './console-session-repository.js';
import { DeviceRepository } from './device-repository.js';
import { LayoutRepository } from './layout-repository.js';
import { PgLogStore } from './pg-log-store.js';
import { ProductRepository } from './product-repository.js';
import { StationRepository } from './station-repository.js';
import { TokenRepository } from './token-repository.js';
import { Transactions } from './transactions.js';
import { WorkOrderDevices } from './work-order-devices.js';
import { WorkOrderRepository } from './work-order-repository.js';

/** Every repository class: each is built once over the Database's Kysely (outside any transaction). */
const REPOSITORIES: ReadonlyArray<new (db: Executor) => object> = [
  AttestationRepository,
  ConsoleSessionRepository,
  DeviceRepository,
  LayoutRepository,
  PgLogStore,
  ProductRepository,
  StationRepository,
  TokenRepository,
  WorkOrderDevices,
  WorkOrderRepository,
];

const providers: Provider[] = REPOSITORIES.map((repository) => ({
  provide: repository,
  useFactory: (database: Database) => new repository(database.kysely),
  inject: [Database],
}));

/**
 * The one place the repositories are registered (global: any service injects the ones it reads
 * with), with {@link Transactions}, which hands out the same classes bound to a transaction.
 * Needs the global Database.
 */
@Global()
@Module({ providers: [...providers, Transactions], exports: [...REPOSITORIES, Transactions] })
export class RepositoriesModule {}
