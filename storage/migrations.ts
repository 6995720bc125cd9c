// Numbered SQL migrations (storage/migrations/0001_name.sql, …), applied at start, each in its
// own transaction together with its row in schema_version, so a crash leaves either all of a
// migration or none of it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqliteDatabase } from './sqlite-database.ts';
import { StorageError } from './storage-error.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS_DIRECTORY = join(import.meta.dirname, 'migrations');

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads migration files; a gap, duplicate or misnamed file is a packaging bug and stops start-up. */
export function loadMigrations(directory: string = MIGRATIONS_DIRECTORY): Migration[] {
  const migrations = readdirSync(directory)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const match = FILE_NAME.exec(file);
      if (match === null) throw new StorageError(`migration file ${file} is not named NNNN_name.sql`);
      return { version: Number(match[1]), name: match[2] ?? '', sql: readFileSync(join(directory, file), 'utf8') };
    });
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new StorageError(`migration ${migration.version} (${migration.name}) is out of sequence: expected version ${index + 1}`);
    }
  });
  return migrations;
}

export interface MigrationOutcome {
  readonly from: number;
  readonly to: number;
  readonly applied: readonly Migration[];
}

export async function applyMigrations(
  database: SqliteDatabase,
  migrations: readonly Migration[],
  now: () => Date,
): Promise<MigrationOutcome> {
  await database.exec(
    'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const from = await currentSchemaVersion(database);
  const latest = migrations.at(-1)?.version ?? 0;
  if (from > latest) {
    throw new StorageError(
      `database ${database.path} has schema version ${from}, newer than this patchwindow supports (${latest}); ` +
        'run the patchwindow version that wrote it, or restore a backup',
    );
  }
  const pending = migrations.filter((migration) => migration.version > from);
  for (const migration of pending) {
    await database.transaction(async (tx) => {
      try {
        await tx.exec(migration.sql);
      } catch (error: unknown) {
        throw new StorageError(`migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`, { cause: error });
      }
      await tx.run('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        now().toISOString(),
      ]);
    });
  }
  return { from, to: Math.max(from, latest), applied: pending };
}

export async function currentSchemaVersion(database: SqliteDatabase): Promise<number> {
  const row = await database.get('SELECT COALESCE(MAX(version), 0) AS version FROM schema_version');
  return Number(row?.['version'] ?? 0);
}
