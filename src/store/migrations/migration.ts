/**
 * A schema migration. Versions are applied in ascending order, each in the same
 * transaction as its row in `schema_migrations`; a migration is never edited
 * once released — a change is a new version.
 */
export interface Migration {
  version: number;
  name: string;
  /** DDL for one dialect, run as one script inside the migration transaction. */
  sql: string;
}

/** The newest version in a list; a database at a higher version was written by newer code. */
export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}
