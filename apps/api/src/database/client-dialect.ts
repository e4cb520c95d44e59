import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
} from 'kysely';
import { ClientDriver } from './client-driver.js';
import type { SqlClientPool } from './sql-client.js';

/** Kysely's PostgreSQL dialect (compiler, adapter, introspector) over a {@link ClientDriver}. */
export class ClientDialect implements Dialect {
  constructor(private readonly pool: SqlClientPool) {}

  createDriver(): Driver {
    return new ClientDriver(this.pool);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
