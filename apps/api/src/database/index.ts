// The API's database: PostgreSQL through Kysely, embedded (PGlite) or on a server.
export { Database } from './database.js';
export type { DatabaseConfig, DatabaseKind, DatabaseOpenOptions } from './database-config.js';
export { DatabaseError, isDatabaseError, type DatabaseErrorCode, type DatabaseErrorCause } from './errors.js';
export { CONSTRAINTS } from './constraints.js';
export { type Executor, inTransaction, withSavepoint } from './executor.js';
export { type JsonValue, jsonText } from './json.js';
export { MIGRATIONS, MIGRATION_TABLE, schemaFingerprint } from './migrations/index.js';
export { createPgliteSnapshot } from './pglite-snapshot.js';
export * from './tables.js';
