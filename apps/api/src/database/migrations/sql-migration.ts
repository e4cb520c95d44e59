/** A schema migration as plain SQL statements, run in order inside the migrator's transaction. */
export interface SqlMigration {
  readonly statements: readonly string[];
}
