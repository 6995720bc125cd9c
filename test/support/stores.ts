// Stores for integration tests: a fresh migrated database in a temp directory, closed by
// afterEach through openDatabases, and row counts by raw SQL that bypass the repositories.
import { join } from 'node:path';
import { openStore } from '../../storage/open-store.ts';
import type { OpenedStore } from '../../storage/open-store.ts';
import type { SqlExecutor } from '../../storage/sqlite-database.ts';
import type { OpenDatabases } from './databases.ts';
import type { TempDirs } from './temp-dirs.ts';

/** Opens (and migrates) a new store in a fresh temp directory; `databases` closes it. */
export async function openTempStore(dirs: TempDirs, databases: OpenDatabases, now: Date): Promise<OpenedStore> {
  return databases.track(await openStore(join(dirs.make(), 'patchwindow.sqlite'), { now: () => now }));
}

export type StoredTable = 'schedules' | 'skips' | 'audit_log';

export async function rowCount(database: SqlExecutor, table: StoredTable): Promise<number> {
  const row = await database.get(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(row?.['n']);
}

/** Row counts of every table that commands write. */
export async function rowCounts(database: SqlExecutor): Promise<Record<StoredTable, number>> {
  return {
    schedules: await rowCount(database, 'schedules'),
    skips: await rowCount(database, 'skips'),
    audit_log: await rowCount(database, 'audit_log'),
  };
}
