import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { DatabaseError } from '../errors.js';
import { INT8_OID, parseInt8 } from '../int8.js';

export interface OpenPgliteOptions {
  /** Directory of the data files (created if missing); undefined keeps the database in memory. */
  readonly dataDir: string | undefined;
  /** A dumpDataDir() tarball to start a new database from; refused for an existing data dir. */
  readonly snapshot?: Blob | undefined;
}

/**
 * Starts embedded PostgreSQL (PGlite, loaded on first use so PostgreSQL deployments never load
 * its WebAssembly). A new data directory runs initdb (seconds); reopening takes a fraction of that.
 * @throws DatabaseError OPEN_FAILED (unusable directory, snapshot onto existing data, PGlite start failure).
 */
export async function openPglite(options: OpenPgliteOptions): Promise<PGlite> {
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  try {
    if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  } catch (error) {
    throw new DatabaseError('OPEN_FAILED', 'cannot create the PGlite data directory', { cause: error });
  }
  if (options.snapshot !== undefined && dataDir !== undefined && existsSync(join(dataDir, 'PG_VERSION'))) {
    throw new DatabaseError('OPEN_FAILED', 'a snapshot can only start a new PGlite database, not replace one');
  }
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    return await PGlite.create({
      dataDir,
      loadDataDir: options.snapshot,
      parsers: { [INT8_OID]: parseInt8 },
    });
  } catch (error) {
    throw new DatabaseError('OPEN_FAILED', 'PGlite failed to start', { cause: error });
  }
}
