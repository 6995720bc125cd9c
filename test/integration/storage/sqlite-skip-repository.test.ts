// SqliteSkipRepository on a real migrated database: ordering, retiring instead of deleting,
// the date CHECK constraints, and rollback through SqliteTransactions.
import { afterEach, describe, expect, it } from 'vitest';
import type { NewSkip } from '../../../bot/core/ports/skip-repository.ts';
import type { OpenedStore } from '../../../storage/open-store.ts';
import { SqliteTransactions } from '../../../storage/sqlite-repositories.ts';
import { SqliteSkipRepository } from '../../../storage/sqlite-skip-repository.ts';
import { openDatabases } from '../../support/databases.ts';
import { rejectionOf } from '../../support/rejection.ts';
import { expectStorageError } from '../../support/storage-errors.ts';
import { openTempStore, rowCount, rowCounts } from '../../support/stores.ts';
import { tempDirs } from '../../support/temp-dirs.ts';

const dirs = tempDirs();
const databases = openDatabases();

afterEach(async () => {
  await databases.closeAll();
  dirs.removeAll();
});

const CREATED_AT = new Date('2026-11-25T12:00:00.123Z');
const REMOVED_AT = new Date('2026-11-26T08:30:00.000Z');

async function freshRepository(): Promise<{ store: OpenedStore; skips: SqliteSkipRepository }> {
  const store = await openTempStore(dirs, databases, new Date('2026-11-25T00:00:00.000Z'));
  return { store, skips: new SqliteSkipRepository(store.database) };
}

function skip(from: string, to: string, overrides: Partial<NewSkip> = {}): NewSkip {
  return { range: { from, to, zone: 'Europe/Zurich' }, reason: 'year-end freeze', createdBy: 'console:alice', createdAt: CREATED_AT, ...overrides };
}

describe('SqliteSkipRepository.add', () => {
  it('returns the new id with the fields, and list returns the same', async () => {
    const { skips } = await freshRepository();

    const added = await skips.add(skip('2026-12-20', '2027-01-06'));

    expect(added).toEqual({ id: 1, ...skip('2026-12-20', '2027-01-06') });
    expect(await skips.list()).toEqual([added]);
  });

  it('stores the range, zone, reason and time as given (time as ISO 8601 UTC)', async () => {
    const { store, skips } = await freshRepository();

    await skips.add(skip('2026-12-24', '2026-12-24', { range: { from: '2026-12-24', to: '2026-12-24', zone: 'UTC' }, reason: 'Christmas Eve' }));

    expect(await store.database.get('SELECT * FROM skips')).toEqual({
      id: 1,
      from_date: '2026-12-24',
      to_date: '2026-12-24',
      zone: 'UTC',
      reason: 'Christmas Eve',
      created_by: 'console:alice',
      created_at: '2026-11-25T12:00:00.123Z',
      removed_by: null,
      removed_at: null,
    });
  });

  it('round-trips an empty reason and a unicode one', async () => {
    const { skips } = await freshRepository();

    await skips.add(skip('2026-12-24', '2026-12-24', { reason: '' }));
    await skips.add(skip('2026-12-25', '2026-12-26', { reason: 'Weihnachten 🎄 — Büro zu' }));

    expect((await skips.list()).map((listed) => listed.reason)).toEqual(['', 'Weihnachten 🎄 — Büro zu']);
  });

  it('lists by first date, then by id, regardless of insertion order', async () => {
    const { skips } = await freshRepository();
    await skips.add(skip('2027-04-01', '2027-04-02', { reason: 'easter' }));
    await skips.add(skip('2026-12-20', '2027-01-06', { reason: 'freeze' }));
    await skips.add(skip('2027-04-01', '2027-04-01', { reason: 'audit' }));
    await skips.add(skip('2026-11-30', '2026-11-30', { reason: 'release' }));

    expect((await skips.list()).map((listed) => `${listed.id} ${listed.reason}`)).toEqual(['4 release', '2 freeze', '1 easter', '3 audit']);
  });

  it('lists nothing on an empty table', async () => {
    const { skips } = await freshRepository();

    expect(await skips.list()).toEqual([]);
  });
});

describe('SqliteSkipRepository.remove', () => {
  it('retires the row: gone from list, still in the table with who and when', async () => {
    const { store, skips } = await freshRepository();
    const removed = await skips.add(skip('2026-12-20', '2027-01-06'));
    const kept = await skips.add(skip('2027-04-01', '2027-04-02'));

    expect(await skips.remove(removed.id, 'console:bob', REMOVED_AT)).toBe(true);

    expect(await skips.list()).toEqual([kept]);
    expect(await store.database.all('SELECT id, from_date, removed_by, removed_at FROM skips ORDER BY id')).toEqual([
      { id: 1, from_date: '2026-12-20', removed_by: 'console:bob', removed_at: '2026-11-26T08:30:00.000Z' },
      { id: 2, from_date: '2027-04-01', removed_by: null, removed_at: null },
    ]);
  });

  it('returns false when removing twice, and the first removal stays as recorded', async () => {
    const { store, skips } = await freshRepository();
    const added = await skips.add(skip('2026-12-20', '2027-01-06'));

    expect(await skips.remove(added.id, 'console:bob', REMOVED_AT)).toBe(true);
    expect(await skips.remove(added.id, 'console:carol', new Date('2026-12-01T00:00:00.000Z'))).toBe(false);

    expect(await store.database.get('SELECT removed_by, removed_at FROM skips WHERE id = ?', [added.id])).toEqual({
      removed_by: 'console:bob',
      removed_at: '2026-11-26T08:30:00.000Z',
    });
  });

  it('returns false for an id that does not exist and changes nothing', async () => {
    const { store, skips } = await freshRepository();
    const added = await skips.add(skip('2026-12-20', '2027-01-06'));

    expect(await skips.remove(99, 'console:bob', REMOVED_AT)).toBe(false);

    expect(await skips.list()).toEqual([added]);
    expect(await store.database.get('SELECT removed_at FROM skips WHERE id = ?', [added.id])).toEqual({ removed_at: null });
  });

  it('allows adding the same range again after it was removed', async () => {
    const { skips } = await freshRepository();
    const old = await skips.add(skip('2026-12-20', '2027-01-06'));
    await skips.remove(old.id, 'console:bob', REMOVED_AT);

    const again = await skips.add(skip('2026-12-20', '2027-01-06'));

    expect(await skips.list()).toEqual([again]);
    expect(again.id).toBe(2);
  });
});

describe('skips table constraints', () => {
  it('refuses a range whose first date is after its last date', async () => {
    const { store, skips } = await freshRepository();

    const error = expectStorageError(await rejectionOf(skips.add(skip('2026-12-31', '2026-12-01'))), /CHECK constraint failed/);

    expect(error.code).toBe('SQLITE_CONSTRAINT');
    expect(await rowCount(store.database, 'skips')).toBe(0);
  });

  it('accepts a one-day range (first date equal to last date)', async () => {
    const { skips } = await freshRepository();

    await skips.add(skip('2026-12-24', '2026-12-24'));

    expect(await skips.list()).toHaveLength(1);
  });

  it.each([
    ['a first date without zero padding', '2026-1-05', '2026-12-01'],
    ['a last date without zero padding', '2026-01-05', '2026-12-1'],
    ['a first date with a time', '2026-12-01T00:00', '2026-12-31'],
    ['a last date with a time', '2026-12-01', '2026-12-31T23:59'],
    ['a first date in another format', '01.12.2026', '2026-12-31'],
    ['a last date with letters', '2026-12-01', '2026-12-xx'],
    ['an empty first date', '', '2026-12-31'],
    ['a last date with a leading space', '2026-12-01', ' 2026-12-31'],
  ])('refuses %s', async (_what, from, to) => {
    const { store, skips } = await freshRepository();

    const error = expectStorageError(await rejectionOf(skips.add(skip(from, to))), /CHECK constraint failed/);

    expect(error.code).toBe('SQLITE_CONSTRAINT');
    expect(await rowCount(store.database, 'skips')).toBe(0);
  });

  it('fills a missing reason with the empty string', async () => {
    const { store, skips } = await freshRepository();

    await store.database.run(
      "INSERT INTO skips (from_date, to_date, zone, created_by, created_at) VALUES ('2026-12-24', '2026-12-24', 'UTC', 'x', '2026-11-25T00:00:00.000Z')",
    );

    expect((await skips.list()).map((listed) => listed.reason)).toEqual(['']);
  });
});

describe('SqliteTransactions with skips', () => {
  it('rolls back an added skip and its audit entry when the work throws', async () => {
    const { store } = await freshRepository();
    const transactions = new SqliteTransactions(store.database);

    await expect(
      transactions.run(async ({ skips, audit }) => {
        const added = await skips.add(skip('2026-12-20', '2027-01-06'));
        await audit.record({ at: CREATED_AT, actor: 'console:alice', action: 'skip.added', subject: `skip:${added.id}` });
        throw new Error('reply failed');
      }),
    ).rejects.toThrow('reply failed');

    expect(await rowCounts(store.database)).toEqual({ schedules: 0, skips: 0, audit_log: 0 });
  });

  it('rolls back a removal: the skip stays active', async () => {
    const { store, skips } = await freshRepository();
    const added = await skips.add(skip('2026-12-20', '2027-01-06'));
    const transactions = new SqliteTransactions(store.database);

    await expect(
      transactions.run(async (repositories) => {
        expect(await repositories.skips.remove(added.id, 'console:bob', REMOVED_AT)).toBe(true);
        expect(await repositories.skips.list()).toEqual([]);
        throw new Error('reply failed');
      }),
    ).rejects.toThrow('reply failed');

    expect(await skips.list()).toEqual([added]);
  });

  it('rolls back earlier writes when a later skip violates a constraint', async () => {
    const { store, skips } = await freshRepository();
    const transactions = new SqliteTransactions(store.database);

    expectStorageError(
      await rejectionOf(
        transactions.run(async (repositories) => {
          await repositories.skips.add(skip('2026-12-20', '2027-01-06'));
          await repositories.skips.add(skip('2027-01-06', '2026-12-20'));
        }),
      ),
      /CHECK constraint failed/,
    );

    expect(await skips.list()).toEqual([]);
    expect(await rowCount(store.database, 'skips')).toBe(0);
  });
});
