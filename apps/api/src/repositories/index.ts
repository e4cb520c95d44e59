// The API's persistence adapters: one concrete class per aggregate, each taking the Database's
// Kysely or a transaction of it. RepositoriesModule provides them (global); Transactions hands out
// the same classes bound to one transaction, so a service can compose several atomically.
export * from './token-repository.js';
export * from './product-repository.js';
export * from './layout-repository.js';
export * from './station-repository.js';
export * from './work-order-repository.js';
export * from './work-order-devices.js';
export * from './device-records.js';
export * from './device-repository.js';
export * from './attestation-repository.js';
export * from './pg-log-store.js';
export * from './console-session-repository.js';
export * from './transactions.js';
export * from './repositories.module.js';
