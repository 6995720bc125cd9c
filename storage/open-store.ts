// Opens the bot's database the one safe way: directory created, WAL, busy timeout, foreign
// keys, an exclusive lock that a second process cannot take, and migrations applied.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { applyMigrations, loadMigrations } from './migrations.ts';
import type { Migration, MigrationOutcome } from './migrations.ts';
import { SqliteDatabase } from './sqlite-database.ts';
import { StorageError } from './storage-error.ts';

export const BUSY_TIMEOUT_MS = 5000;

export interface OpenStoreOptions {
  readonly now: () => Date;
  readonly migrations?: readonly Migration[];
}

export interface OpenedStore {
  readonly database: SqliteDatabase;
  readonly migration: MigrationOutcome;
}

export async function openStore(path: string, options: OpenStoreOptions): Promise<OpenedStore> {
  ensureWritableDirectory(dirname(path), path);
  const database = await SqliteDatabase.connect(path);
  try {
    await takeExclusiveLock(database);
    await database.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    await database.exec('PRAGMA foreign_keys = ON');
    // NORMAL is durable in WAL mode except for the last transactions before a power loss.
    await database.exec('PRAGMA synchronous = NORMAL');
    const migration = await applyMigrations(database, options.migrations ?? loadMigrations(), options.now);
    return { database, migration };
  } catch (error: unknown) {
    await database.close().catch(() => undefined); // the open failure is what matters
    throw error;
  }
}

const DIRECTORY_PROBLEMS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a part of the path is a file, not a directory',
  ENOSPC: 'no space left on the device',
};

function ensureWritableDirectory(directory: string, path: string): void {
  try {
    mkdirSync(directory, { recursive: true });
    accessSync(directory, constants.W_OK);
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const reason = DIRECTORY_PROBLEMS[code] ?? code;
    throw new StorageError(`database directory ${directory} for ${path} cannot be created or written: ${reason}`, { cause: error });
  }
}

/**
 * EXCLUSIVE locking mode keeps SQLite's file lock for the connection's lifetime, so a second
 * process fails at once instead of interleaving writes; the OS drops the lock when a process
 * dies, even by SIGKILL, so there is no stale lock file to clean up.
 */
async function takeExclusiveLock(database: SqliteDatabase): Promise<void> {
  try {
    // sqlite3 waits 1 s on a busy file by default; a second process should be told at once.
    await database.exec('PRAGMA busy_timeout = 0');
    await database.exec('PRAGMA locking_mode = EXCLUSIVE');
    const row = await database.get('PRAGMA journal_mode = WAL');
    if (row?.['journal_mode'] !== 'wal') {
      throw new StorageError(`database ${database.path} cannot use WAL mode (journal_mode is ${String(row?.['journal_mode'])})`);
    }
    await database.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (error: unknown) {
    if (error instanceof StorageError && (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED')) {
      throw new StorageError(
        `database ${database.path} is in use by another patchwindow process; only one bot may use a database file`,
        { cause: error },
      );
    }
    if (error instanceof StorageError && error.code === 'SQLITE_NOTADB') {
      throw new StorageError(`${database.path} is not a SQLite database`, { cause: error });
    }
    throw error;
  }
}
