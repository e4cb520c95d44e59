import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import {
  createPgliteSnapshot,
  Database,
  type DatabaseConfig,
  type DatabaseKind,
  schemaFingerprint,
} from '../apps/api/src/database/index.js';
import { REPO_ROOT } from './paths.js';
import { type PostgresServer, startPostgres } from './postgres.js';

/** An open, migrated database of one test, and how to get rid of it. */
export interface TestDatabase {
  readonly kind: DatabaseKind;
  readonly database: Database;
  /** How to open the same database again (a second "process" for race tests). */
  readonly config: DatabaseConfig;
  /** Closes the database and drops it (PostgreSQL) or discards it (PGlite in memory). */
  cleanup(): Promise<void>;
}

export interface TestDatabaseOptions {
  /**
   * PostgreSQL only: the server to create the database on (see startPostgres). Without one, a server
   * is started for this database alone and stopped by cleanup().
   */
  readonly server?: PostgresServer;
  /** PostgreSQL pool size (default 10). */
  readonly maxConnections?: number;
  /** PGlite only: a new data directory on disk (as in production) instead of memory. */
  readonly pgliteDataDir?: string;
}

const CACHE_DIR = join(REPO_ROOT, '.ingrain', 'cache');
let snapshotPromise: Promise<Blob> | undefined;

async function pgliteVersion(): Promise<string> {
  const manifest = join(REPO_ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json');
  const parsed = JSON.parse(await readFile(manifest, 'utf8')) as { version?: string };
  return parsed.version ?? 'unknown';
}

/**
 * The migrated-empty PGlite snapshot, built once per machine per (PGlite version, schema) and
 * cached under .ingrain/cache/ (written to a temp name, then renamed: concurrent test processes
 * never read half a file). Starting from it costs ~0.4 s instead of initdb's 3–12 s.
 */
async function buildOrLoadSnapshot(): Promise<Blob> {
  const file = join(CACHE_DIR, `pglite-${await pgliteVersion()}-${schemaFingerprint().slice(0, 16)}.tar`);
  if (existsSync(file)) return new Blob([await readFile(file)]);
  const snapshot = await createPgliteSnapshot();
  await mkdir(CACHE_DIR, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, new Uint8Array(await snapshot.arrayBuffer()));
  await rename(partial, file);
  return snapshot;
}

/** The cached migrated-empty PGlite snapshot (see DatabaseOpenOptions.pgliteSnapshot). */
export function pgliteSnapshot(): Promise<Blob> {
  snapshotPromise ??= buildOrLoadSnapshot();
  return snapshotPromise;
}

async function createPgliteTestDatabase(dataDir?: string): Promise<TestDatabase> {
  const config: DatabaseConfig = { kind: 'pglite', dataDir };
  // On disk: initdb and the migrations, as ingrain-admin makes a production data directory (a
  // snapshot would be unpacked through PGlite's WebAssembly memory first).
  const snapshot = dataDir === undefined ? await pgliteSnapshot() : undefined;
  const database = await Database.open(config, { pgliteSnapshot: snapshot });
  return { kind: 'pglite', database, config, cleanup: () => database.close() };
}

const TEMPLATE_DATABASE = 'ingrain_template';
const templates = new WeakMap<PostgresServer, Promise<void>>();
let databaseCounter = 0;

/** Runs one statement on the server's maintenance database (CREATE/DROP DATABASE). */
async function onMaintenanceDatabase(server: PostgresServer, statement: string): Promise<void> {
  const admin = await Database.open({ kind: 'postgres', url: server.url('postgres') }, { migrate: false });
  try {
    await sql.raw(statement).execute(admin.kysely);
  } finally {
    await admin.close();
  }
}

/** A migrated template database on the server, made once; test databases are copies of it. */
function migratedTemplate(server: PostgresServer): Promise<void> {
  let template = templates.get(server);
  if (template === undefined) {
    template = (async () => {
      await onMaintenanceDatabase(server, `create database ${TEMPLATE_DATABASE}`);
      const database = await Database.open({ kind: 'postgres', url: server.url(TEMPLATE_DATABASE) });
      await database.close();
    })();
    templates.set(server, template);
  }
  return template;
}

async function createPostgresTestDatabase(options: TestDatabaseOptions): Promise<TestDatabase> {
  const server = options.server ?? (await startPostgres());
  const ownsServer = options.server === undefined;
  try {
    await migratedTemplate(server);
    const name = `ingrain_test_${process.pid}_${++databaseCounter}`;
    await onMaintenanceDatabase(server, `create database ${name} template ${TEMPLATE_DATABASE}`);
    const config: DatabaseConfig = { kind: 'postgres', url: server.url(name) };
    const database = await Database.open(config, { maxConnections: options.maxConnections });
    const cleanup = async (): Promise<void> => {
      try {
        await database.close();
        await onMaintenanceDatabase(server, `drop database if exists ${name} with (force)`);
      } finally {
        if (ownsServer) await server.stop();
      }
    };
    return { kind: 'postgres', database, config, cleanup };
  } catch (error) {
    if (ownsServer) await server.stop();
    throw error;
  }
}

/**
 * A fresh, migrated database of the given kind for one test: PGlite in memory (from a cached
 * snapshot) or a new database on a throwaway PostgreSQL server (copied from a migrated template).
 * Call cleanup() in a finally/after hook.
 */
export function createTestDatabase(kind: DatabaseKind, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  return kind === 'pglite' ? createPgliteTestDatabase(options.pgliteDataDir) : createPostgresTestDatabase(options);
}
