import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations, currentSchemaVersion, loadMigrations, MIGRATIONS_DIRECTORY } from '../../../storage/migrations.ts';
import type { Migration } from '../../../storage/migrations.ts';
import { SqliteDatabase } from '../../../storage/sqlite-database.ts';
import { StorageError } from '../../../storage/storage-error.ts';
import { openDatabases } from '../../support/databases.ts';
import { rejectionOf, thrownBy } from '../../support/rejection.ts';
import { expectStorageError } from '../../support/storage-errors.ts';
import { tempDirs } from '../../support/temp-dirs.ts';

const dirs = tempDirs();
const databases = openDatabases();

afterEach(async () => {
  await databases.closeAll();
  dirs.removeAll();
});

function migrationsDirectory(files: Readonly<Record<string, string>>): string {
  const directory = dirs.make('patchwindow-migrations-');
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(directory, name), sql);
  return directory;
}

async function freshDatabase(): Promise<SqliteDatabase> {
  return databases.track(await SqliteDatabase.connect(join(dirs.make(), 'test.sqlite')));
}

/** A clock that returns the given instants in turn, so each migration's applied_at is known. */
function clock(...isoTimes: string[]): () => Date {
  const remaining = [...isoTimes];
  return () => {
    const next = remaining.shift();
    if (next === undefined) throw new Error('clock called more often than expected');
    return new Date(next);
  };
}

async function tableNames(database: SqliteDatabase): Promise<string[]> {
  const rows = await database.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  return rows.map((row) => String(row['name']));
}

async function schemaVersionRows(database: SqliteDatabase): Promise<unknown[]> {
  return database.all('SELECT version, name, applied_at FROM schema_version ORDER BY version');
}

const M1: Migration = { version: 1, name: 'first', sql: 'CREATE TABLE first_table (id INTEGER PRIMARY KEY);' };
const M2: Migration = { version: 2, name: 'second', sql: 'CREATE TABLE second_table (id INTEGER PRIMARY KEY, value TEXT);' };
const M3: Migration = { version: 3, name: 'third', sql: 'CREATE TABLE third_table (id INTEGER PRIMARY KEY);' };

describe('loadMigrations', () => {
  it('loads numbered .sql files in version order with their name and SQL, ignoring other files', () => {
    const directory = migrationsDirectory({
      '0002_add_windows.sql': 'CREATE TABLE windows (id INTEGER);',
      '0001_audit_log.sql': 'CREATE TABLE audit (id INTEGER);',
      'README.md': 'not a migration',
      '0003_notes.sql.bak': 'ignored too',
    });

    expect(loadMigrations(directory)).toEqual([
      { version: 1, name: 'audit_log', sql: 'CREATE TABLE audit (id INTEGER);' },
      { version: 2, name: 'add_windows', sql: 'CREATE TABLE windows (id INTEGER);' },
    ]);
  });

  it('returns no migrations for an empty directory', () => {
    expect(loadMigrations(migrationsDirectory({}))).toEqual([]);
  });

  it('rejects a misnamed .sql file with the exact message', () => {
    const directory = migrationsDirectory({ '0001_first.sql': 'SELECT 1;', '2_second.sql': 'SELECT 1;' });

    expectStorageError(thrownBy(() => loadMigrations(directory)), 'migration file 2_second.sql is not named NNNN_name.sql');
  });

  it('rejects upper-case or dashed names', () => {
    expectStorageError(
      thrownBy(() => loadMigrations(migrationsDirectory({ '0001_Audit.sql': '' }))),
      'migration file 0001_Audit.sql is not named NNNN_name.sql',
    );
    expectStorageError(
      thrownBy(() => loadMigrations(migrationsDirectory({ '0001_audit-log.sql': '' }))),
      'migration file 0001_audit-log.sql is not named NNNN_name.sql',
    );
  });

  it('rejects a gap in the version sequence with the exact message', () => {
    const directory = migrationsDirectory({ '0001_first.sql': 'SELECT 1;', '0003_x.sql': 'SELECT 1;' });

    expectStorageError(thrownBy(() => loadMigrations(directory)), 'migration 3 (x) is out of sequence: expected version 2');
  });

  it('rejects a sequence that does not start at 1', () => {
    const directory = migrationsDirectory({ '0002_second.sql': 'SELECT 1;' });

    expectStorageError(thrownBy(() => loadMigrations(directory)), 'migration 2 (second) is out of sequence: expected version 1');
  });

  it('rejects two migrations with the same version', () => {
    const directory = migrationsDirectory({ '0001_a.sql': 'SELECT 1;', '0001_b.sql': 'SELECT 1;' });

    expectStorageError(thrownBy(() => loadMigrations(directory)), 'migration 1 (b) is out of sequence: expected version 2');
  });

  it('loads the shipped migrations by default, starting with the audit log', () => {
    const shipped = loadMigrations();

    expect(shipped).toEqual(loadMigrations(MIGRATIONS_DIRECTORY));
    expect(shipped[0]).toMatchObject({ version: 1, name: 'audit_log' });
    expect(shipped.map((migration) => migration.version)).toEqual(shipped.map((_, index) => index + 1));
  });
});

describe('applyMigrations', () => {
  it('applies every migration to a fresh database and records each with the injected time', async () => {
    const database = await freshDatabase();

    const outcome = await applyMigrations(database, [M1, M2, M3], clock('2030-01-01T00:00:01.000Z', '2030-01-01T00:00:02.000Z', '2030-01-01T00:00:03.000Z'));

    expect(outcome).toEqual({ from: 0, to: 3, applied: [M1, M2, M3] });
    expect(await schemaVersionRows(database)).toEqual([
      { version: 1, name: 'first', applied_at: '2030-01-01T00:00:01.000Z' },
      { version: 2, name: 'second', applied_at: '2030-01-01T00:00:02.000Z' },
      { version: 3, name: 'third', applied_at: '2030-01-01T00:00:03.000Z' },
    ]);
    expect(await tableNames(database)).toEqual(['first_table', 'schema_version', 'second_table', 'third_table']);
    expect(await currentSchemaVersion(database)).toBe(3);
  });

  it('is idempotent: a second run applies nothing and leaves schema_version unchanged', async () => {
    const database = await freshDatabase();
    await applyMigrations(database, [M1, M2], clock('2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z'));
    const before = await schemaVersionRows(database);

    const outcome = await applyMigrations(database, [M1, M2], clock());

    expect(outcome).toEqual({ from: 2, to: 2, applied: [] });
    expect(await schemaVersionRows(database)).toEqual(before);
  });

  it('applies only the migrations newer than the database', async () => {
    const database = await freshDatabase();
    await applyMigrations(database, [M1], clock('2030-01-01T00:00:00.000Z'));

    const outcome = await applyMigrations(database, [M1, M2, M3], clock('2030-02-01T00:00:00.000Z', '2030-03-01T00:00:00.000Z'));

    expect(outcome).toEqual({ from: 1, to: 3, applied: [M2, M3] });
    expect(await schemaVersionRows(database)).toEqual([
      { version: 1, name: 'first', applied_at: '2030-01-01T00:00:00.000Z' },
      { version: 2, name: 'second', applied_at: '2030-02-01T00:00:00.000Z' },
      { version: 3, name: 'third', applied_at: '2030-03-01T00:00:00.000Z' },
    ]);
  });

  it('creates only schema_version when there are no migrations', async () => {
    const database = await freshDatabase();

    expect(await applyMigrations(database, [], clock())).toEqual({ from: 0, to: 0, applied: [] });
    expect(await tableNames(database)).toEqual(['schema_version']);
  });

  it('applies migrations loaded from files', async () => {
    const database = await freshDatabase();
    const migrations = loadMigrations(
      migrationsDirectory({
        '0001_people.sql': 'CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT);\nINSERT INTO people (name) VALUES (\'ada\');',
        '0002_pets.sql': 'CREATE TABLE pets (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES people (id));',
      }),
    );

    const outcome = await applyMigrations(database, migrations, () => new Date('2030-01-01T00:00:00.000Z'));

    expect(outcome.applied.map((migration) => migration.name)).toEqual(['people', 'pets']);
    expect(await database.all('SELECT name FROM people')).toEqual([{ name: 'ada' }]);
    expect(await tableNames(database)).toContain('pets');
  });

  it('rolls back a failing migration entirely and names it in the error', async () => {
    const database = await freshDatabase();
    const broken: Migration = {
      version: 2,
      name: 'broken',
      sql: `
        CREATE TABLE partial_one (id INTEGER PRIMARY KEY);
        INSERT INTO first_table (id) VALUES (42);
        CREATE TABLE partial_two (id INTEGER PRIMARY KEY);
        THIS IS NOT SQL;
        CREATE TABLE never_reached (id INTEGER PRIMARY KEY);
      `,
    };

    const error = expectStorageError(
      await rejectionOf(applyMigrations(database, [M1, broken, M3], () => new Date('2030-01-01T00:00:00.000Z'))),
      /^migration 2 \(broken\) failed: SQLITE_ERROR: near "THIS": syntax error/,
    );
    expect(error.code).toBe('SQLITE_ERROR');
    expect(error.cause).toBeInstanceOf(StorageError);
    expect(await tableNames(database)).toEqual(['first_table', 'schema_version']);
    expect(await database.all('SELECT id FROM first_table')).toEqual([]);
    expect(await currentSchemaVersion(database)).toBe(1);
    expect(await schemaVersionRows(database)).toEqual([{ version: 1, name: 'first', applied_at: '2030-01-01T00:00:00.000Z' }]);
  });

  it('can apply a fixed migration after an earlier attempt failed', async () => {
    const database = await freshDatabase();
    const broken: Migration = { ...M2, sql: 'CREATE TABLE second_table (id INTEGER PRIMARY KEY); NOT SQL;' };
    await expect(applyMigrations(database, [M1, broken], () => new Date('2030-01-01T00:00:00.000Z'))).rejects.toThrow(
      /^migration 2 \(second\) failed: /,
    );

    const outcome = await applyMigrations(database, [M1, M2], () => new Date('2030-01-02T00:00:00.000Z'));

    expect(outcome).toEqual({ from: 1, to: 2, applied: [M2] });
    expect(await tableNames(database)).toEqual(['first_table', 'schema_version', 'second_table']);
  });

  it('refuses a database whose schema is newer than the known migrations, with the exact message', async () => {
    const database = await freshDatabase();
    await applyMigrations(database, [M1, M2, M3], () => new Date('2030-01-01T00:00:00.000Z'));
    const before = await schemaVersionRows(database);

    const error = await rejectionOf(applyMigrations(database, [M1], () => new Date('2030-06-01T00:00:00.000Z')));

    expectStorageError(
      error,
      `database ${database.path} has schema version 3, newer than this patchwindow supports (1); ` +
        'run the patchwindow version that wrote it, or restore a backup',
    );
    expect(await schemaVersionRows(database)).toEqual(before);
  });

  it('refuses a schema_version row beyond the shipped migrations', async () => {
    const database = await freshDatabase();
    const shipped = loadMigrations();
    const latest = shipped.length;
    await database.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    await database.run('INSERT INTO schema_version VALUES (?, ?, ?)', [latest + 7, 'from_the_future', '2031-01-01T00:00:00.000Z']);

    expectStorageError(
      await rejectionOf(applyMigrations(database, shipped, () => new Date())),
      `database ${database.path} has schema version ${latest + 7}, newer than this patchwindow supports (${latest}); ` +
        'run the patchwindow version that wrote it, or restore a backup',
    );
    expect(await tableNames(database)).toEqual(['schema_version']);
  });
});
