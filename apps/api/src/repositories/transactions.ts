import { Inject, Injectable } from '@nestjs/common';
import type { IsolationLevel } from 'kysely';
import { Database } from '../database/database.js';
import type { Executor } from '../database/executor.js';
import { AttestationRepository } from './attestation-repository.js';
import { DeviceRepository } from './device-repository.js';
import { LayoutRepository } from './layout-repository.js';
import { PgLogStore } from './pg-log-store.js';
import { ProductRepository } from './product-repository.js';
import { StationRepository } from './station-repository.js';
import { TokenRepository } from './token-repository.js';
import { WebhookOutbox } from './webhook-outbox.js';
import { WorkOrderDevices } from './work-order-devices.js';
import { WorkOrderRepository } from './work-order-repository.js';

/** Every repository of the API, all bound to one executor (a transaction, in {@link Transactions.run}). */
export interface Repositories {
  readonly attestations: AttestationRepository;
  readonly devices: DeviceRepository;
  readonly layouts: LayoutRepository;
  readonly log: PgLogStore;
  readonly products: ProductRepository;
  readonly stations: StationRepository;
  readonly tokens: TokenRepository;
  readonly webhookOutbox: WebhookOutbox;
  readonly workOrderDevices: WorkOrderDevices;
  readonly workOrders: WorkOrderRepository;
}

/** The repositories over `db` (the Database's Kysely, or a transaction of it). */
export function repositoriesOver(db: Executor): Repositories {
  return {
    attestations: new AttestationRepository(db),
    devices: new DeviceRepository(db),
    layouts: new LayoutRepository(db),
    log: new PgLogStore(db),
    products: new ProductRepository(db),
    stations: new StationRepository(db),
    tokens: new TokenRepository(db),
    webhookOutbox: new WebhookOutbox(db),
    workOrderDevices: new WorkOrderDevices(db),
    workOrders: new WorkOrderRepository(db),
  };
}

export interface TransactionOptions {
  /** Default: READ COMMITTED. */
  readonly isolationLevel?: IsolationLevel;
}

/**
 * The unit of work: `run(work)` opens one transaction and hands `work` the repositories bound to
 * it, so services compose several writes atomically without touching Kysely. Committed when `work`
 * resolves, rolled back when it throws (the error is rethrown).
 *
 * PGlite has one session: inside `work`, use only the repositories handed to it (the injected,
 * non-transactional ones would wait for this transaction to end, then fail with CONNECTION_TIMEOUT).
 */
@Injectable()
export class Transactions {
  constructor(@Inject(Database) private readonly database: Database) {}

  run<T>(work: (repositories: Repositories) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.database.transaction((trx) => work(repositoriesOver(trx)), options);
  }
}
