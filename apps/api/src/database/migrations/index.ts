import { createHash } from 'node:crypto';
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { DatabaseError, type DatabaseErrorCode } from '../errors.js';
import { initialMigration } from './0001-initial.js';
import { stationSealingKeyMigration } from './0002-station-sealing-key.js';
import { consoleSessionsMigration } from './0007-console-sessions.js';
import type { SqlMigration } from './sql-migration.js';

/** Every migration, by name; names sort in the order they run. Append only: never edit a shipped one. */
export const MIGRATIONS: Readonly<Record<string, SqlMigration>> = {
  '0001-initial': initialMigration,
  '0002-station-sealing-key': stationSealingKeyMigration,
  '0007-console-sessions': consoleSessionsMigration,
};

const UNREACHABLE = new Set<DatabaseErrorCode>(['CONNECTION_FAILED', 'CONNECTION_TIMEOUT', 'DATABASE_CLOSED']);

/** The table where Kysely's Migrator records applied migrations (its lock table adds `_lock`). */
export const MIGRATION_TABLE = 'ingrain_migration';

function toKyselyMigration(migration: SqlMigration): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const statement of migration.statements) await sql.raw(statement).execute(db);
    },
  };
}

const provider: MigrationProvider = {
  getMigrations: () =>
    Promise.resolve(
      Object.fromEntries(Object.entries(MIGRATIONS).map(([name, m]) => [name, toKyselyMigration(m)] as const)),
    ),
};

/**
 * SHA-256 (hex) of every migration's name and statements: identifies the schema a database built
 * from these migrations has, e.g. to key a cached template database.
 */
export function schemaFingerprint(): string {
  const hash = createHash('sha256');
  for (const [name, migration] of Object.entries(MIGRATIONS).sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(`${name}\n`);
    for (const statement of migration.statements) hash.update(`${statement}\n;\n`);
  }
  return hash.digest('hex');
}

/**
 * Brings the schema to the latest migration; idempotent (already applied migrations are skipped)
 * and safe when several processes start at once (Kysely takes an advisory lock, each migration
 * runs in a transaction). Returns the names applied by this call.
 * @throws DatabaseError MIGRATION_FAILED naming the migration; the schema stays at the last one applied.
 */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: `${MIGRATION_TABLE}_lock`,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    // An unreachable or closed database is not a failed migration: report it as what it is.
    if (error instanceof DatabaseError && UNREACHABLE.has(error.code)) throw error;
    const failed = results.find((result) => result.status === 'Error')?.migrationName ?? 'migration set';
    // Driver errors arrive already sanitized (DatabaseError); the others are Kysely's own messages.
    const detail = error instanceof Error ? error.message : 'unknown error';
    throw new DatabaseError('MIGRATION_FAILED', `migration ${failed} failed: ${detail}`, { cause: error });
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
