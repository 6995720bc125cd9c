import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations } from '../../../storage/migrations.ts';
import type { Migration } from '../../../storage/migrations.ts';
import { BUSY_TIMEOUT_MS, openStore, openStoreReadOnly } from '../../../storage/open-store.ts';
import type { OpenedStore } from '../../../storage/open-store.ts';
import { children, exited, HOLD_STORE_LOCKED_LINE, HOLD_STORE_SCRIPT, waitForLine } from '../../support/child-processes.ts';
import { openDatabases } from '../../support/databases.ts';
import { rejectionOf } from '../../support/rejection.ts';
import { expectStorageError } from '../../support/storage-errors.ts';
import { tempDirs } from '../../support/temp-dirs.ts';

const dirs = tempDirs();
const databases = openDatabases();
const processes = children();

afterEach(async () => {
  await processes.killAll();
  await databases.closeAll();
  dirs.removeAll();
});

const now = (): Date => new Date('2030-01-01T00:00:00.000Z');

async function open(path: string, migrations?: readonly Migration[]): Promise<OpenedStore> {
  const store = await openStore(path, migrations === undefined ? { now } : { now, migrations });
  databases.track(store);
  return store;
}

/** What openStore (and the reopening that follows) must refuse while another connection holds the file. */
function inUseMessage(path: string): string {
  return `database ${path} is in use by another patchwindow process; only one bot may use a database file`;
}

describe('openStore on a new file', () => {
  it('creates the file and its nested directories and applies the shipped migrations', async () => {
    const path = join(dirs.make(), 'a', 'b', 'c', 'patchwindow.sqlite');

    const store = await open(path);

    expect(existsSync(path)).toBe(true);
    expect(store.database.path).toBe(path);
    const shipped = loadMigrations();
    expect(store.migration).toEqual({ from: 0, to: shipped.length, applied: shipped });
    expect(await store.database.get("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'")).toEqual({
      name: 'audit_log',
    });
  });

  it('records the injected time for each applied migration', async () => {
    const store = await open(join(dirs.make(), 'patchwindow.sqlite'));

    expect(await store.database.all('SELECT DISTINCT applied_at FROM schema_version')).toEqual([{ applied_at: '2030-01-01T00:00:00.000Z' }]);
  });

  it('uses WAL, foreign keys, a 5 s busy timeout and NORMAL sync, and leaves the file readable by others', async () => {
    const { database } = await open(join(dirs.make(), 'patchwindow.sqlite'));

    expect(BUSY_TIMEOUT_MS).toBe(5000);
    expect(await database.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await database.get('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
    expect(await database.get('PRAGMA busy_timeout')).toEqual({ timeout: 5000 });
    expect(await database.get('PRAGMA synchronous')).toEqual({ synchronous: 1 });
    expect(await database.get('PRAGMA locking_mode')).toEqual({ locking_mode: 'normal' });
  });

  it('enforces foreign keys', async () => {
    const { database } = await open(join(dirs.make(), 'patchwindow.sqlite'));
    await database.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (parent_id INTEGER REFERENCES parent (id))');

    await expect(database.run('INSERT INTO child (parent_id) VALUES (?)', [99])).rejects.toMatchObject({
      code: 'SQLITE_CONSTRAINT',
      message: expect.stringContaining('FOREIGN KEY constraint failed') as unknown,
    });
  });

  it('applies the migrations it is given instead of the shipped ones', async () => {
    const migrations: Migration[] = [{ version: 1, name: 'only', sql: 'CREATE TABLE only_table (id INTEGER);' }];

    const store = await open(join(dirs.make(), 'patchwindow.sqlite'), migrations);

    expect(store.migration).toEqual({ from: 0, to: 1, applied: migrations });
    expect(await store.database.get("SELECT name FROM sqlite_master WHERE name = 'audit_log'")).toBeUndefined();
  });
});

describe('openStore on an existing file', () => {
  it('reopens after close, keeps the data and applies nothing', async () => {
    const path = join(dirs.make(), 'patchwindow.sqlite');
    const first = await open(path);
    await first.database.run("INSERT INTO audit_log (at, actor, action, subject) VALUES ('2030-01-01T00:00:00.000Z', 'system', 'bot.started', '')");
    await first.close();

    const second = await open(path);

    const latest = loadMigrations().length;
    expect(second.migration).toEqual({ from: latest, to: latest, applied: [] });
    expect(await second.database.all('SELECT actor, action FROM audit_log')).toEqual([{ actor: 'system', action: 'bot.started' }]);
    expect(await second.database.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
  });

  it('closes the connection and rethrows when a migration fails, leaving the file usable', async () => {
    const path = join(dirs.make(), 'patchwindow.sqlite');
    const broken: Migration[] = [{ version: 1, name: 'broken', sql: 'NOT SQL' }];

    expectStorageError(await rejectionOf(openStore(path, { now, migrations: broken })), /^migration 1 \(broken\) failed: /);

    // The failed open released its lock: the file can be opened again at once.
    const store = await open(path);
    expect(store.migration.from).toBe(0);
  });
});

describe('openStore refusals', () => {
  it('refuses a path whose parent directory is a regular file', async () => {
    const blocker = join(dirs.make(), 'not-a-directory');
    writeFileSync(blocker, 'just a file');
    const path = join(blocker, 'patchwindow.sqlite');

    const error = expectStorageError(await rejectionOf(openStore(path, { now })), /^database directory /);

    expect(error.message.startsWith(`database directory ${blocker} for ${path} cannot be created or written`)).toBe(true);
    expect(error.cause).toMatchObject({ code: expect.stringMatching(/^(ENOTDIR|EEXIST)$/) as unknown });
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a file that is not a SQLite database and leaves it untouched', async () => {
    const path = join(dirs.make(), 'garbage.sqlite');
    const garbage = 'this is definitely not a sqlite database header, just plain text. '.repeat(4);
    expect(garbage.length).toBeGreaterThan(100);
    writeFileSync(path, garbage);

    const error = expectStorageError(await rejectionOf(openStore(path, { now })), `${path} is not a SQLite database`);

    expect(error.code).toBe('SQLITE_NOTADB');
    expect(readFileSync(path, 'utf8')).toBe(garbage);
  });

  it('refuses a second open in the same process while the first is open', async () => {
    const path = join(dirs.make(), 'patchwindow.sqlite');
    await open(path);

    const error = expectStorageError(await rejectionOf(openStore(path, { now })), inUseMessage(path));

    expect(error.code).toMatch(/^SQLITE_(BUSY|LOCKED)$/);
  });

  it('allows a new open in the same process once the first is closed', async () => {
    const path = join(dirs.make(), 'patchwindow.sqlite');
    const first = await open(path);
    expectStorageError(await rejectionOf(openStore(path, { now })), inUseMessage(path));
    await first.close();

    const second = await open(path);

    expect(second.migration.applied).toEqual([]);
  });

  it('refuses a database held by another process, and opens it once that process is killed', async () => {
    const path = join(dirs.make(), 'nested', 'patchwindow.sqlite');
    const holder = processes.spawnNode(HOLD_STORE_SCRIPT, [path]);
    await waitForLine(holder, HOLD_STORE_LOCKED_LINE);

    const refusal = expectStorageError(await rejectionOf(openStore(path, { now })), inUseMessage(path));
    expect(refusal.code).toBe('SQLITE_BUSY');

    holder.kill('SIGKILL');
    expect(await exited(holder)).toEqual({ code: null, signal: 'SIGKILL' });

    // The OS released the lock with the process: no stale lock is left behind.
    const store = await open(path);
    expect(store.migration.applied).toEqual([]);
    expect(await store.database.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
  });
});

describe('openStore on a damaged file', () => {
  /** A database with a few hundred audit rows, checkpointed into the main file, then closed. */
  async function filledDatabase(): Promise<string> {
    const path = join(dirs.make(), 'patchwindow.sqlite');
    const store = await openStore(path, { now });
    for (let index = 0; index < 300; index++) {
      await store.database.run("INSERT INTO audit_log (at, actor, action, subject, details) VALUES ('2030-01-01T00:00:00.000Z', 'u1', 'x.done', '', ?)", [
        JSON.stringify({ index, note: 'n'.repeat(200) }),
      ]);
    }
    await store.database.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    await store.close();
    return path;
  }

  it('refuses a file with a page of garbage before writing anything, where SQLite itself would open it', async () => {
    const path = await filledDatabase();
    const bytes = readFileSync(path);
    bytes.fill(0xa5, bytes.length - 4096);
    writeFileSync(path, bytes);

    const error = expectStorageError(
      await rejectionOf(openStore(path, { now })),
      `database ${path} is damaged (database disk image is malformed): restore it from a backup, or move it away to start with an empty one`,
    );

    expect(error.code).toBe('SQLITE_CORRUPT');
    expect(readFileSync(path)).toEqual(bytes);
  });

  it('refuses a truncated file the same way', async () => {
    const path = await filledDatabase();
    const bytes = readFileSync(path).subarray(0, 20_000);
    writeFileSync(path, bytes);

    expectStorageError(
      await rejectionOf(openStore(path, { now })),
      `database ${path} is damaged (database disk image is malformed): restore it from a backup, or move it away to start with an empty one`,
    );
    expect(readFileSync(path)).toEqual(bytes);
  });
});

describe('openStoreReadOnly', () => {
  it('reads a database while a bot holds it open for writing', async () => {
    const path = join(dirs.make(), 'patchwindow.sqlite');
    const writer = await open(path);
    await writer.database.run("INSERT INTO audit_log (at, actor, action, subject) VALUES ('2030-01-01T00:00:00.000Z', 'u1', 'x.done', '')");

    const reader = databases.track(await openStoreReadOnly(path));

    expect(await reader.all('SELECT actor FROM audit_log')).toEqual([{ actor: 'u1' }]);
    expectStorageError(await rejectionOf(reader.run("INSERT INTO audit_log (at, actor, action, subject) VALUES ('x', 'u2', 'y', '')")), /attempt to write a readonly database/);
  });

  it('refuses a file that does not exist, without creating it', async () => {
    const path = join(dirs.make(), 'missing.sqlite');
    expectStorageError(await rejectionOf(openStoreReadOnly(path)), `database ${path} does not exist`);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a database whose schema is not the one this version reads', async () => {
    const path = join(dirs.make(), 'patchwindow.sqlite');
    const store = await open(path);
    await store.close();
    const extra: Migration = { version: loadMigrations().length + 1, name: 'future', sql: 'SELECT 1' };
    const latest = extra.version;
    expectStorageError(
      await rejectionOf(openStoreReadOnly(path, [...loadMigrations(), extra])),
      `database ${path} has schema version ${latest - 1}, but this patchwindow reads version ${latest}; start the bot once to migrate it, or use the patchwindow version that wrote it`,
    );
  });
});
