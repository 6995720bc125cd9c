import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../bot/core/json.ts';
import type { NewAuditEntry } from '../../../bot/core/ports/audit-log.ts';
import { openStore } from '../../../storage/open-store.ts';
import { SqliteAuditLog } from '../../../storage/sqlite-audit-log.ts';
import type { SqliteDatabase } from '../../../storage/sqlite-database.ts';
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

async function freshStore(): Promise<{ database: SqliteDatabase; log: SqliteAuditLog }> {
  const { database } = await openStore(join(dirs.make(), 'patchwindow.sqlite'), { now: () => new Date('2030-01-01T00:00:00.000Z') });
  databases.track(database);
  return { database, log: new SqliteAuditLog(database) };
}

function entry(overrides: Partial<NewAuditEntry> = {}): NewAuditEntry {
  return { at: new Date('2030-05-01T10:00:00.000Z'), actor: 'U123', action: 'window.approved', subject: 'window:42', ...overrides };
}

async function auditRowCount(database: SqliteDatabase): Promise<number> {
  const row = await database.get('SELECT COUNT(*) AS n FROM audit_log');
  return Number(row?.['n']);
}

describe('SqliteAuditLog.record', () => {
  it('returns the new id and the recorded fields', async () => {
    const { log } = await freshStore();
    const at = new Date('2030-05-01T10:00:00.123Z');

    const first = await log.record({ at, actor: 'U123', action: 'window.approved', subject: 'window:42', details: { by: 'slack' } });
    const second = await log.record({ at, actor: 'system', action: 'bot.started', subject: '' });

    expect(first).toEqual({ id: 1, at, actor: 'U123', action: 'window.approved', subject: 'window:42', details: { by: 'slack' } });
    expect(second).toEqual({ id: 2, at, actor: 'system', action: 'bot.started', subject: '', details: {} });
  });

  it('stores the row so that list returns what record returned', async () => {
    const { log } = await freshStore();

    const recorded = await log.record(entry({ at: new Date('2030-05-01T10:00:00.987Z'), details: { reason: 'kernel' } }));

    expect(await log.list()).toEqual([recorded]);
  });

  it('stores the time as an ISO-8601 UTC string and missing details as {}', async () => {
    const { database, log } = await freshStore();

    await log.record(entry({ at: new Date('2030-05-01T12:34:56.789+02:00') }));

    expect(await database.get('SELECT at, details FROM audit_log')).toEqual({ at: '2030-05-01T10:34:56.789Z', details: '{}' });
  });

  it('round-trips nested objects, arrays and unicode in details', async () => {
    const { log } = await freshStore();
    const details: JsonObject = {
      nodes: ['aks-pool-1', 'aks-pool-2'],
      window: { id: 42, start: '2030-05-01T22:00:00Z', approvers: [{ id: 'U1', name: 'Zoë' }], confirmed: true, note: null },
      matrix: [[1, 2.5, -3], [], [{ deep: { deeper: ['x'] } }]],
      text: 'Grüße, 日本語, emoji 🚀🔁, RTL שלום, combining é, quote " backslash \\ newline \n tab \t',
      separators: '\u2028\u2029',
      'key with spaces and ünïcödé 🔑': 'value',
      empty: {},
    };

    await log.record(entry({ details }));
    const [listed] = await log.list();

    expect(listed?.details).toEqual(details);
  });

  it('refuses an invalid Date and writes nothing', async () => {
    const { database, log } = await freshStore();

    expectStorageError(
      await rejectionOf(log.record(entry({ at: new Date('not a date'), action: 'window.approved' }))),
      'audit entry window.approved has an invalid time',
    );
    expect(await auditRowCount(database)).toBe(0);
  });

  it('refuses an empty actor through the CHECK constraint', async () => {
    const { database, log } = await freshStore();

    const error = expectStorageError(await rejectionOf(log.record(entry({ actor: '' }))), /CHECK constraint failed/);

    expect(error.code).toBe('SQLITE_CONSTRAINT');
    expect(await auditRowCount(database)).toBe(0);
  });

  it('refuses an empty action through the CHECK constraint', async () => {
    const { log } = await freshStore();

    const error = expectStorageError(await rejectionOf(log.record(entry({ action: '' }))), /CHECK constraint failed/);

    expect(error.code).toBe('SQLITE_CONSTRAINT');
  });

  it('records through a transaction executor and disappears with its rollback', async () => {
    const { database, log } = await freshStore();

    await expect(
      database.transaction(async (tx) => {
        await new SqliteAuditLog(tx).record(entry({ action: 'window.cancelled' }));
        throw new Error('side effect failed');
      }),
    ).rejects.toThrow('side effect failed');
    await database.transaction(async (tx) => {
      await new SqliteAuditLog(tx).record(entry({ action: 'window.approved' }));
    });

    expect((await log.list()).map((listed) => listed.action)).toEqual(['window.approved']);
  });
});

describe('SqliteAuditLog.list', () => {
  it('returns entries newest first', async () => {
    const { log } = await freshStore();
    for (const [index, action] of ['a.first', 'a.second', 'a.third'].entries()) {
      await log.record(entry({ action, at: new Date(Date.UTC(2030, 4, 1, 10, index)) }));
    }

    expect((await log.list()).map((listed) => listed.action)).toEqual(['a.third', 'a.second', 'a.first']);
  });

  it('returns an empty list when nothing was recorded', async () => {
    const { log } = await freshStore();

    expect(await log.list()).toEqual([]);
  });

  it('filters by subject, by action, and by both', async () => {
    const { log } = await freshStore();
    await log.record(entry({ subject: 'window:1', action: 'window.proposed' }));
    await log.record(entry({ subject: 'window:2', action: 'window.proposed' }));
    await log.record(entry({ subject: 'window:1', action: 'window.approved' }));
    await log.record(entry({ subject: 'node:aks-pool-1', action: 'node.rebooted' }));

    const pairs = async (query: Parameters<SqliteAuditLog['list']>[0]): Promise<string[]> =>
      (await log.list(query)).map((listed) => `${listed.subject} ${listed.action}`);

    expect(await pairs({ subject: 'window:1' })).toEqual(['window:1 window.approved', 'window:1 window.proposed']);
    expect(await pairs({ action: 'window.proposed' })).toEqual(['window:2 window.proposed', 'window:1 window.proposed']);
    expect(await pairs({ subject: 'window:1', action: 'window.proposed' })).toEqual(['window:1 window.proposed']);
    expect(await pairs({ subject: 'window:3' })).toEqual([]);
  });

  it('treats filter values as data, not SQL', async () => {
    const { log } = await freshStore();
    await log.record(entry({ subject: "window:1' OR '1'='1" }));
    await log.record(entry({ subject: 'window:2' }));

    expect((await log.list({ subject: "window:1' OR '1'='1" })).map((listed) => listed.subject)).toEqual(["window:1' OR '1'='1"]);
    expect(await log.list({ subject: "x' OR '1'='1" })).toEqual([]);
  });

  it('returns the newest entries up to the limit, truncating fractions', async () => {
    const { log } = await freshStore();
    for (const action of ['a.1', 'a.2', 'a.3', 'a.4', 'a.5']) await log.record(entry({ action }));

    expect((await log.list({ limit: 2 })).map((listed) => listed.action)).toEqual(['a.5', 'a.4']);
    expect((await log.list({ limit: 3.9 })).map((listed) => listed.action)).toEqual(['a.5', 'a.4', 'a.3']);
  });

  it('clamps a limit below 1 up to 1', async () => {
    const { log } = await freshStore();
    for (const action of ['a.1', 'a.2', 'a.3']) await log.record(entry({ action }));

    expect((await log.list({ limit: 0 })).map((listed) => listed.action)).toEqual(['a.3']);
    expect((await log.list({ limit: -5 })).map((listed) => listed.action)).toEqual(['a.3']);
    expect((await log.list({ limit: Number.NEGATIVE_INFINITY })).map((listed) => listed.action)).toEqual(['a.3']);
  });

  it('defaults to the newest 100 entries', async () => {
    const { database, log } = await freshStore();
    await insertEntries(database, 150);

    const listed = await log.list();

    expect(listed).toHaveLength(100);
    expect(listed[0]?.id).toBe(150);
    expect(listed.at(-1)?.id).toBe(51);
  });

  it('clamps a huge limit to at most 10000 entries', async () => {
    const { database, log } = await freshStore();
    await insertEntries(database, 10_005);

    for (const limit of [1_000_000_000, Number.POSITIVE_INFINITY]) {
      const listed = await log.list({ limit });
      expect(listed).toHaveLength(10_000);
      expect(listed[0]?.id).toBe(10_005);
      expect(listed.at(-1)?.id).toBe(6);
    }
  });

  it('treats a NaN limit like no limit instead of failing with an SQL error', async () => {
    const { database, log } = await freshStore();
    await insertEntries(database, 101);

    expect(await log.list({ limit: Number.NaN })).toHaveLength(100);
  });
});

describe('audit_log table', () => {
  it('refuses UPDATE: the row stays as it was', async () => {
    const { database, log } = await freshStore();
    const recorded = await log.record(entry({ actor: 'U123' }));

    const error = expectStorageError(
      await rejectionOf(database.run("UPDATE audit_log SET actor = 'someone-else' WHERE id = ?", [recorded.id])),
      /audit_log is append-only/,
    );

    expect(error.code).toBe('SQLITE_CONSTRAINT');
    expect(await log.list()).toEqual([recorded]);
  });

  it('refuses DELETE: the rows stay', async () => {
    const { database, log } = await freshStore();
    await log.record(entry());
    await log.record(entry());

    const error = expectStorageError(await rejectionOf(database.run('DELETE FROM audit_log')), /audit_log is append-only/);

    expect(error.code).toBe('SQLITE_CONSTRAINT');
    expect(await auditRowCount(database)).toBe(2);
  });

  it('refuses INSERT OR REPLACE over an existing row: the row stays as it was', async () => {
    const { database, log } = await freshStore();
    const recorded = await log.record(entry({ actor: 'U123' }));

    const error = expectStorageError(
      await rejectionOf(
        database.run(
          "INSERT OR REPLACE INTO audit_log (id, at, actor, action, subject) VALUES (?, '2030-01-01T00:00:00.000Z', 'forger', 'x.y', '')",
          [recorded.id],
        ),
      ),
      /audit_log is append-only/,
    );

    expect(error.code).toBe('SQLITE_CONSTRAINT');
    expect(await log.list()).toEqual([recorded]);
  });

  it('refuses details that are not valid JSON', async () => {
    const { database } = await freshStore();

    const error = expectStorageError(
      await rejectionOf(
        database.run("INSERT INTO audit_log (at, actor, action, subject, details) VALUES ('2030-01-01T00:00:00.000Z', 'a', 'b', 'c', 'not json')"),
      ),
      /CHECK constraint failed/,
    );

    expect(error.code).toBe('SQLITE_CONSTRAINT');
  });
});

/** Inserts `count` rows in one statement (ids 1…count), faster than `count` record calls. */
async function insertEntries(database: SqliteDatabase, count: number): Promise<void> {
  await database.run(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO audit_log (at, actor, action, subject, details)
     SELECT '2030-01-01T00:00:00.000Z', 'system', 'bulk.inserted', 'bulk:' || i, '{}' FROM n`,
    [count],
  );
}
