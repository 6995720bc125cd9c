// Opens the bot's database the one safe way: directory created, files writable, a writer lock
// that a second process cannot take, the file checked for damage before anything is written to
// it, WAL, busy timeout, foreign keys, and migrations applied.
import { accessSync, constants, existsSync, mkdirSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { applyMigrations, currentSchemaVersion, loadMigrations } from './migrations.ts';
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
  /** Closes the database, then releases the writer lock. */
  close(): Promise<void>;
}

export async function openStore(path: string, options: OpenStoreOptions): Promise<OpenedStore> {
  ensureWritableDirectory(dirname(path), path);
  ensureWritableFiles(path);
  const lock = await takeWriterLock(path).catch((error: unknown) => {
    throw explainStorageFailure(path, error);
  });
  let database: SqliteDatabase | undefined;
  try {
    database = await SqliteDatabase.connect(path);
    await checkIntact(database);
    await useWal(database);
    await database.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    await database.exec('PRAGMA foreign_keys = ON');
    // NORMAL is durable in WAL mode except for the last transactions before a power loss.
    await database.exec('PRAGMA synchronous = NORMAL');
    const migration = await applyMigrations(database, options.migrations ?? loadMigrations(), options.now);
    const opened = database;
    return {
      database: opened,
      migration,
      close: async () => {
        try {
          if (!opened.closed) await opened.close();
        } finally {
          if (!lock.closed) await lock.close();
        }
      },
    };
  } catch (error: unknown) {
    // The open failure is what matters; closing is best effort.
    await database?.close().catch(() => undefined);
    await lock.close().catch(() => undefined);
    throw explainStorageFailure(path, error);
  }
}

/**
 * A storage failure as an operator should read it: which database, and what is wrong with its
 * volume (full, read-only, failing); other failures as they are. The SQLite error stays in `cause`.
 */
export function explainStorageFailure(path: string, error: unknown): unknown {
  if (!(error instanceof StorageError)) return error;
  const code = error.code ?? '';
  // SQLite reports a full volume as SQLITE_FULL, or as an I/O error when it cannot even create its shared-memory file.
  if (code === 'SQLITE_FULL' || (code.startsWith('SQLITE_IOERR') && volumeFull(path))) {
    return new StorageError(`database ${path} cannot be written: no space left on its volume`, { cause: error });
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new StorageError(`database ${path} cannot be written: it is read-only (check the file's owner and mode, and that its volume is not read-only)`, { cause: error });
  }
  if (code.startsWith('SQLITE_IOERR')) return new StorageError(`database ${path} cannot be read or written: its disk reports an I/O error (${error.message})`, { cause: error });
  return error;
}

/** Opens a database for reading while a bot may be writing it (WAL readers do not block). */
export async function openStoreReadOnly(path: string, migrations: readonly Migration[] = loadMigrations()): Promise<SqliteDatabase> {
  if (!existsSync(path)) throw new StorageError(`database ${path} does not exist`);
  const database = await SqliteDatabase.connect(path, { readOnly: true });
  try {
    await database.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const version = await currentSchemaVersion(database).catch((error: unknown) => {
      throw notADatabase(path, error);
    });
    const latest = migrations.at(-1)?.version ?? 0;
    if (version !== latest) {
      throw new StorageError(
        `database ${path} has schema version ${version}, but this patchwindow reads version ${latest}; ` +
          'start the bot once to migrate it, or use the patchwindow version that wrote it',
      );
    }
    return database;
  } catch (error: unknown) {
    await database.close().catch(() => undefined);
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
 * SQLite opens a file it may not write read-only without a word, and the bot would fail at its
 * first write; so the database's files (those that exist) must be writable by this process.
 */
function ensureWritableFiles(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}.lock`]) {
    if (!existsSync(file)) continue;
    try {
      accessSync(file, constants.W_OK);
    } catch (error: unknown) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      const reason = DIRECTORY_PROBLEMS[code] ?? code;
      throw new StorageError(
        `database ${path} cannot be written (${file}: ${reason}): the bot must be able to write its database; check the file's owner and mode, and that its volume is not read-only`,
        { cause: error },
      );
    }
  }
}

/**
 * A damaged file is refused before anything is written to it, rather than failing at whichever
 * later read or write reaches the damage. quick_check reads every page (about 0.25 s for 40 MB).
 */
async function checkIntact(database: SqliteDatabase): Promise<void> {
  let rows: Awaited<ReturnType<SqliteDatabase['all']>>;
  try {
    rows = await database.all('PRAGMA quick_check');
  } catch (error: unknown) {
    throw notADatabase(database.path, error);
  }
  const problems = rows.map((row) => String(row['quick_check'])).filter((result) => result !== 'ok');
  if (problems.length > 0) throw damaged(database.path, problems.join('; ').slice(0, 200));
}

function volumeFull(path: string): boolean {
  try {
    return statfsSync(dirname(path)).bavail === 0;
  } catch {
    return false;
  }
}

function damaged(path: string, detail: string, cause?: unknown): StorageError {
  return new StorageError(`database ${path} is damaged (${detail}): restore it from a backup, or move it away to start with an empty one`, { cause });
}

/**
 * The writer lock is a second SQLite file, `<db>.lock`, held in EXCLUSIVE locking mode for the
 * bot's lifetime: a second bot fails at once, while the database itself stays readable by
 * other tools. The OS drops the lock when a process dies, even by SIGKILL, so there is no
 * stale lock to clean up.
 */
async function takeWriterLock(path: string): Promise<SqliteDatabase> {
  const lock = await SqliteDatabase.connect(`${path}.lock`);
  try {
    // sqlite3 waits 1 s on a busy file by default; a second process should be told at once.
    await lock.exec('PRAGMA busy_timeout = 0');
    await lock.exec('PRAGMA locking_mode = EXCLUSIVE');
    await lock.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS writer_lock (note TEXT); COMMIT');
    return lock;
  } catch (error: unknown) {
    await lock.close().catch(() => undefined);
    if (error instanceof StorageError && (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED')) {
      throw new StorageError(`database ${path} is in use by another patchwindow process; only one bot may use a database file`, {
        cause: error,
      });
    }
    throw error;
  }
}

async function useWal(database: SqliteDatabase): Promise<void> {
  try {
    const row = await database.get('PRAGMA journal_mode = WAL');
    if (row?.['journal_mode'] !== 'wal') {
      throw new StorageError(`database ${database.path} cannot use WAL mode (journal_mode is ${String(row?.['journal_mode'])})`);
    }
  } catch (error: unknown) {
    throw notADatabase(database.path, error);
  }
}

function notADatabase(path: string, error: unknown): unknown {
  if (!(error instanceof StorageError)) return error;
  if (error.code === 'SQLITE_NOTADB') return new StorageError(`${path} is not a SQLite database`, { cause: error });
  if (error.code === 'SQLITE_CORRUPT') return damaged(path, 'database disk image is malformed', error);
  return error;
}
