import { AttestationRepository } from '../repositories/attestation-repository.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { LayoutRepository } from '../repositories/layout-repository.js';
import { PgLogStore } from '../repositories/pg-log-store.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { StationRepository } from '../repositories/station-repository.js';
import { TokenRepository } from '../repositories/token-repository.js';
import { WebhookOutbox } from '../repositories/webhook-outbox.js';
import { Transactions, type Repositories } from '../repositories/transactions.js';
import { WorkOrderDevices } from '../repositories/work-order-devices.js';
import { WorkOrderRepository } from '../repositories/work-order-repository.js';
import { automock, type Automocked, stub } from './automock.js';

/** Every repository, strictly automocked. */
export type MockRepositories = { readonly [K in keyof Repositories]: Automocked<Repositories[K]> };

/** A fresh set of strict automocks of every repository. */
export function mockRepositories(): MockRepositories {
  return {
    attestations: automock(AttestationRepository),
    devices: automock(DeviceRepository),
    layouts: automock(LayoutRepository),
    log: automock(PgLogStore),
    products: automock(ProductRepository),
    stations: automock(StationRepository),
    tokens: automock(TokenRepository),
    webhookOutbox: automock(WebhookOutbox),
    workOrderDevices: automock(WorkOrderDevices),
    workOrders: automock(WorkOrderRepository),
  };
}

export interface MockTransactions {
  /** Inject this where the service takes Transactions. */
  readonly transactions: Automocked<Transactions>;
  /**
   * The repositories `run` hands to the work: separate from any injected mock, so a test sees which
   * calls were made inside the transaction (and a call on the wrong one throws "not mocked").
   */
  readonly tx: MockRepositories;
}

/**
 * Transactions whose `run(work)` runs `work` at once with automocked repositories (no database).
 * A rejection of `work` propagates as the real helper's rollback-and-rethrow does.
 */
export function mockTransactions(): MockTransactions {
  const tx = mockRepositories();
  const transactions = automock(Transactions);
  stub(transactions, 'run', ((work: (repositories: Repositories) => Promise<unknown>) =>
    work(tx)) as Transactions['run']);
  return { transactions, tx };
}
