import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { DEFAULT_PGLITE_SHARED_BUFFERS_MB } from '../database-config.js';
import { DatabaseError } from '../errors.js';
import { INT8_OID, parseInt8 } from '../int8.js';
import { DataDirInUseError, lockDataDir, type DataDirLock } from './data-dir-lock.js';

export interface OpenPgliteOptions {
  /** Directory of the data files (created if missing); undefined keeps the database in memory. */
  readonly dataDir: string | undefined;
  /** A dumpDataDir() tarball to start a new database from; refused for an existing data dir. */
  readonly snapshot?: Blob | undefined;
  /** PostgreSQL's shared_buffers in MiB (default DEFAULT_PGLITE_SHARED_BUFFERS_MB). */
  readonly sharedBuffersMb?: number | undefined;
}

/** An open PGlite and the lock of its data directory (none in memory): release it after closing. */
export interface OpenedPglite {
  readonly pglite: PGlite;
  readonly lock: DataDirLock | undefined;
}

/**
 * Starts embedded PostgreSQL (PGlite, loaded on first use so PostgreSQL deployments never load
 * its WebAssembly). A new data directory runs initdb (seconds); reopening takes a fraction of that.
 * A data directory is locked first (data-dir-lock.ts): a second process, or a second open of it in
 * this one, is refused before PGlite touches a file.
 * @throws DatabaseError OPEN_FAILED (unusable directory, directory in use: its cause is a
 *   DataDirInUseError naming the holder's pid; snapshot onto existing data, PGlite start failure).
 */
export async function openPglite(options: OpenPgliteOptions): Promise<OpenedPglite> {
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  try {
    if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  } catch (error) {
    throw new DatabaseError('OPEN_FAILED', 'cannot create the PGlite data directory', { cause: error });
  }
  const lock = dataDir === undefined ? undefined : await lockOrRefuse(dataDir);
  try {
    if (options.snapshot !== undefined && dataDir !== undefined && existsSync(join(dataDir, 'PG_VERSION'))) {
      throw new DatabaseError('OPEN_FAILED', 'a snapshot can only start a new PGlite database, not replace one');
    }
    const sharedBuffersMb = options.sharedBuffersMb ?? DEFAULT_PGLITE_SHARED_BUFFERS_MB;
    return { pglite: await create(dataDir, options.snapshot, sharedBuffersMb), lock };
  } catch (error) {
    await lock?.release();
    throw error;
  }
}

async function lockOrRefuse(dataDir: string): Promise<DataDirLock> {
  try {
    return await lockDataDir(dataDir);
  } catch (error) {
    const message = error instanceof DataDirInUseError ? error.message : 'cannot lock the PGlite data directory';
    throw new DatabaseError('OPEN_FAILED', message, { cause: error });
  }
}

/**
 * PGlite's own start parameters (postgres --single with fsync off: see docs/deployment.md, "Memory
 * and durability") plus the memory settings. A `-c` on the command line overrides the data
 * directory's postgresql.conf (initdb wrote shared_buffers = 128MB there) and changes nothing else
 * in it; PGlite's `postgresqlconf` option would replace that whole file instead. wal_buffers stays
 * at the 4 MB it had with 128 MB of shared_buffers (its automatic size is 1/32 of them): with 1 MB
 * the line measured more CPU per device.
 */
export function pgliteStartParams(defaults: readonly string[], sharedBuffersMb: number): string[] {
  return [...defaults, '-c', `shared_buffers=${sharedBuffersMb}MB`, '-c', 'wal_buffers=4MB'];
}

async function create(
  dataDir: string | undefined,
  snapshot: Blob | undefined,
  sharedBuffersMb: number,
): Promise<PGlite> {
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    return await PGlite.create({
      dataDir,
      loadDataDir: snapshot,
      parsers: { [INT8_OID]: parseInt8 },
      startParams: pgliteStartParams(PGlite.defaultStartParams, sharedBuffersMb),
    });
  } catch (error) {
    throw new DatabaseError('OPEN_FAILED', 'PGlite failed to start', { cause: error });
  }
}
