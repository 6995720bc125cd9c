import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteDatabase } from '../../../storage/sqlite-database.ts';
import { StorageError } from '../../../storage/storage-error.ts';
import { openDatabases } from '../../support/databases.ts';
import { rejectionOf } from '../../support/rejection.ts';
import { expectStorageError } from '../../support/storage-errors.ts';
import { tempDirs } from '../../support/temp-dirs.ts';

const dirs = tempDirs();
const databases = openDatabases();

afterEach(async () => {
  await databases.closeAll();
  dirs.removeAll();
});

async function freshDatabase(): Promise<SqliteDatabase> {
  const database = databases.track(await SqliteDatabase.connect(join(dirs.make(), 'test.sqlite')));
  await database.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
  return database;
}

async function names(database: SqliteDatabase): Promise<string[]> {
  const rows = await database.all('SELECT name FROM items ORDER BY id');
  return rows.map((row) => String(row['name']));
}

describe('SqliteDatabase statements', () => {
  it('run reports the inserted row id and the number of changed rows', async () => {
    const database = await freshDatabase();

    const first = await database.run('INSERT INTO items (name) VALUES (?)', ['alpha']);
    const second = await database.run('INSERT INTO items (name) VALUES (?)', ['beta']);
    const update = await database.run("UPDATE items SET name = name || '!'");

    expect(first).toEqual({ lastId: 1, changes: 1 });
    expect(second).toEqual({ lastId: 2, changes: 1 });
    expect(update.changes).toBe(2);
  });

  it('get returns the first matching row, or undefined when nothing matches', async () => {
    const database = await freshDatabase();
    await database.run('INSERT INTO items (name) VALUES (?), (?)', ['alpha', 'beta']);

    expect(await database.get('SELECT id, name FROM items WHERE name = ?', ['beta'])).toEqual({ id: 2, name: 'beta' });
    expect(await database.get('SELECT id, name FROM items WHERE name = ?', ['gamma'])).toBeUndefined();
  });

  it('all returns every matching row in query order, or an empty array', async () => {
    const database = await freshDatabase();
    await database.run('INSERT INTO items (name) VALUES (?), (?), (?)', ['alpha', 'beta', 'gamma']);

    expect(await database.all('SELECT id, name FROM items ORDER BY id DESC')).toEqual([
      { id: 3, name: 'gamma' },
      { id: 2, name: 'beta' },
      { id: 1, name: 'alpha' },
    ]);
    expect(await database.all('SELECT * FROM items WHERE id > ?', [99])).toEqual([]);
  });

  it('binds named parameters', async () => {
    const database = await freshDatabase();
    await database.run('INSERT INTO items (id, name) VALUES ($id, $name)', { $id: 7, $name: 'seven' });

    expect(await database.get('SELECT name FROM items WHERE id = $id', { $id: 7 })).toEqual({ name: 'seven' });
  });

  it('exec runs several statements in one call', async () => {
    const database = await freshDatabase();

    await database.exec(`
      CREATE TABLE other (value TEXT);
      INSERT INTO other (value) VALUES ('x');
      INSERT INTO other (value) VALUES ('y');
    `);

    expect(await database.all('SELECT value FROM other ORDER BY value')).toEqual([{ value: 'x' }, { value: 'y' }]);
  });

  it('keeps serving statements after one of them failed', async () => {
    const database = await freshDatabase();

    await expect(database.run('INSERT INTO missing_table VALUES (1)')).rejects.toBeInstanceOf(StorageError);
    await database.run('INSERT INTO items (name) VALUES (?)', ['after-failure']);

    expect(await names(database)).toEqual(['after-failure']);
  });
});

describe('SqliteDatabase transactions', () => {
  it('commits the work and returns its result', async () => {
    const database = await freshDatabase();

    const result = await database.transaction(async (tx) => {
      await tx.run('INSERT INTO items (name) VALUES (?)', ['alpha']);
      await tx.run('INSERT INTO items (name) VALUES (?)', ['beta']);
      const row = await tx.get('SELECT COUNT(*) AS n FROM items');
      return Number(row?.['n']);
    });

    expect(result).toBe(2);
    expect(await names(database)).toEqual(['alpha', 'beta']);
  });

  it('rolls back everything and rethrows the same error when the work throws', async () => {
    const database = await freshDatabase();
    await database.run('INSERT INTO items (name) VALUES (?)', ['before']);
    const failure = new Error('work failed');

    const attempt = database.transaction(async (tx) => {
      await tx.run('INSERT INTO items (name) VALUES (?)', ['inside-1']);
      await tx.exec("INSERT INTO items (name) VALUES ('inside-2'); DELETE FROM items WHERE name = 'before'");
      throw failure;
    });

    await expect(attempt).rejects.toBe(failure);
    expect(await names(database)).toEqual(['before']);
  });

  it('rolls back earlier statements when a later statement in the work fails', async () => {
    const database = await freshDatabase();

    const attempt = database.transaction(async (tx) => {
      await tx.run('INSERT INTO items (name) VALUES (?)', ['alpha']);
      await tx.run('INSERT INTO items (name) VALUES (?)', ['alpha']); // UNIQUE violation
    });

    await expect(attempt).rejects.toMatchObject({ name: 'StorageError', code: 'SQLITE_CONSTRAINT' });
    expect(await names(database)).toEqual([]);
  });

  it('leaves no transaction open after a rollback, so the next transaction works', async () => {
    const database = await freshDatabase();

    await expect(
      database.transaction(async (tx) => {
        await tx.run('INSERT INTO items (name) VALUES (?)', ['rolled-back']);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await database.transaction(async (tx) => {
      await tx.run('INSERT INTO items (name) VALUES (?)', ['committed']);
    });

    expect(await names(database)).toEqual(['committed']);
  });

  it('keeps statements issued by other callers during a transaction out of it', async () => {
    const database = await freshDatabase();
    const entered = Promise.withResolvers<undefined>();
    const release = Promise.withResolvers<undefined>();

    const transaction = database.transaction(async (tx) => {
      await tx.run('INSERT INTO items (name) VALUES (?)', ['from-transaction']);
      entered.resolve(undefined);
      await release.promise;
      throw new Error('transaction gives up');
    });
    await entered.promise; // BEGIN has run and the transaction's write is done
    let concurrentSettled = false;
    const concurrent = database.run('INSERT INTO items (name) VALUES (?)', ['from-other-caller']).finally(() => {
      concurrentSettled = true;
    });
    // Let every already-runnable callback run: the concurrent write must still be waiting.
    await new Promise<void>((resolve) => {
      setImmediate(resolve);
    });
    expect(concurrentSettled).toBe(false);
    release.resolve(undefined);

    await expect(transaction).rejects.toThrow('transaction gives up');
    await expect(concurrent).resolves.toMatchObject({ changes: 1 });
    expect(await names(database)).toEqual(['from-other-caller']);
  });

  it('runs statements queued before a transaction first and those queued after it afterwards', async () => {
    const database = await freshDatabase();

    const before = database.run('INSERT INTO items (name) VALUES (?)', ['before']);
    const transaction = database.transaction(async (tx) => {
      const seen = await tx.all('SELECT name FROM items ORDER BY id');
      await tx.run('INSERT INTO items (name) VALUES (?)', ['inside']);
      return seen.map((row) => String(row['name']));
    });
    const after = database.run('INSERT INTO items (name) VALUES (?)', ['after']);

    await before;
    expect(await transaction).toEqual(['before']);
    await after;
    expect(await names(database)).toEqual(['before', 'inside', 'after']);
  });
});

describe('SqliteDatabase close', () => {
  it('waits for queued statements before closing', async () => {
    const database = await freshDatabase();

    const insert = database.run('INSERT INTO items (name) VALUES (?)', ['queued']);
    const closing = database.close();

    await expect(insert).resolves.toEqual({ lastId: 1, changes: 1 });
    await closing;
    expect(database.closed).toBe(true);
    const reopened = databases.track(await SqliteDatabase.connect(database.path));
    expect(await names(reopened)).toEqual(['queued']);
  });

  it('rejects every call after close with a StorageError naming the database', async () => {
    const database = await freshDatabase();
    await database.close();
    const message = `database ${database.path} is closed`;

    expectStorageError(await rejectionOf(database.run('INSERT INTO items (name) VALUES (?)', ['x'])), message);
    expectStorageError(await rejectionOf(database.get('SELECT 1')), message);
    expectStorageError(await rejectionOf(database.all('SELECT 1')), message);
    expectStorageError(await rejectionOf(database.exec('SELECT 1')), message);
    expectStorageError(await rejectionOf(database.transaction(() => Promise.resolve(1))), message);
    expectStorageError(await rejectionOf(database.close()), message);
  });
});

describe('SqliteDatabase errors', () => {
  it('keeps the SQLite code and the sqlite3 error as cause, and names the statement', async () => {
    const database = await freshDatabase();
    await database.run('INSERT INTO items (name) VALUES (?)', ['alpha']);

    const storageError = expectStorageError(
      await rejectionOf(database.run('INSERT INTO items (name) VALUES (?)', ['alpha'])),
      'SQLITE_CONSTRAINT: UNIQUE constraint failed: items.name (in: INSERT INTO items (name) VALUES (?))',
    );

    expect(storageError.code).toBe('SQLITE_CONSTRAINT');
    expect(storageError.cause).toBeInstanceOf(Error);
    expect(storageError.cause).not.toBeInstanceOf(StorageError);
    expect(storageError.cause).toMatchObject({ code: 'SQLITE_CONSTRAINT' });
  });

  it('reports syntax errors with code SQLITE_ERROR', async () => {
    const database = await freshDatabase();

    const error = expectStorageError(
      await rejectionOf(database.exec('THIS IS NOT SQL')),
      'SQLITE_ERROR: near "THIS": syntax error (in: THIS IS NOT SQL)',
    );

    expect(error.code).toBe('SQLITE_ERROR');
  });

  it('shortens a long statement in the message to 80 characters on one line', async () => {
    const database = await freshDatabase();
    const sql = `SELECT\n  ${Array.from({ length: 30 }, (_, i) => `missing_column_${i}`).join(',\n  ')}\nFROM items`;

    const error = expectStorageError(await rejectionOf(database.all(sql)), /^SQLITE_ERROR: no such column: /);

    const shown = /\(in: (.*)\)$/.exec(error.message)?.[1];
    expect(shown).toHaveLength(80);
    expect(shown).toMatch(/^SELECT missing_column_0, missing_column_1, .*\.\.\.$/);
    expect(error.message).not.toContain('\n');
  });

  it('wraps a failure to open the file with the path and cause', async () => {
    const path = join(dirs.make(), 'no-such-directory', 'test.sqlite');

    const error = expectStorageError(await rejectionOf(SqliteDatabase.connect(path)), /^cannot open database /);

    expect(error.message.startsWith(`cannot open database ${path}: `)).toBe(true);
    expect(error.code).toBe('SQLITE_CANTOPEN');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('StorageError takes the code from a StorageError cause and has none without a cause', () => {
    const inner = new StorageError('inner', { cause: Object.assign(new Error('sqlite'), { code: 'SQLITE_BUSY' }) });

    expect(new StorageError('outer', { cause: inner }).code).toBe('SQLITE_BUSY');
    expect(new StorageError('plain').code).toBeUndefined();
    expect(new StorageError('odd cause', { cause: { code: 42 } }).code).toBeUndefined();
  });
});
