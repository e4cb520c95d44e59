// The part of node-postgres (pg 8) this app uses. @types/pg is not installed; keep this to what
// postgres/pg-pool.ts calls.
declare module 'pg' {
  export type TypeParser = (value: string) => unknown;

  export interface TypeParsers {
    getTypeParser(oid: number, format?: 'text' | 'binary'): TypeParser;
  }

  export interface PoolConfig {
    connectionString?: string;
    max?: number;
    connectionTimeoutMillis?: number;
    idleTimeoutMillis?: number;
    application_name?: string;
    types?: TypeParsers;
  }

  export interface QueryResult {
    rows: unknown[];
    rowCount: number | null;
    command: string;
  }

  export interface PoolClient {
    query(text: string, values?: unknown[]): Promise<QueryResult>;
    /** `release(error)` destroys the client instead of returning it to the pool. */
    release(destroy?: Error | boolean): void;
  }

  export class Pool {
    constructor(config?: PoolConfig);
    connect(): Promise<PoolClient>;
    end(): Promise<void>;
    on(event: 'error', listener: (error: Error) => void): this;
  }

  const pg: { Pool: typeof Pool; types: TypeParsers };
  export default pg;
}
