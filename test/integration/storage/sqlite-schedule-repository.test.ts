// SqliteScheduleRepository on a real migrated database: retiring instead of deleting, the
// partial unique index on active names, the table's CHECK constraints, and transactions that
// span every repository.
import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalPolicy, NewSchedule } from '../../../bot/core/ports/schedule-repository.ts';
import type { OpenedStore } from '../../../storage/open-store.ts';
import { repositoriesOn, SqliteTransactions } from '../../../storage/sqlite-repositories.ts';
import { SqliteScheduleRepository } from '../../../storage/sqlite-schedule-repository.ts';
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

async function freshRepository(): Promise<{ store: OpenedStore; schedules: SqliteScheduleRepository }> {
  const store = await openTempStore(dirs, databases, new Date('2026-11-25T00:00:00.000Z'));
  return { store, schedules: new SqliteScheduleRepository(store.database) };
}

function schedule(overrides: Partial<NewSchedule> = {}): NewSchedule {
  return {
    name: 'quarterly',
    specText: 'Every 2nd TUE of jan,apr,jul,oct 14:00-17:00',
    canonical: 'every 2nd tue of jan,apr,jul,oct 14:00-17:00 Europe/Zurich',
    approval: 'required',
    createdBy: 'console:alice',
    createdAt: CREATED_AT,
    ...overrides,
  };
}

describe('SqliteScheduleRepository.add', () => {
  it('returns the new id with the fields, and list/get/findByName return the same', async () => {
    const { schedules } = await freshRepository();

    const first = await schedules.add(schedule());
    const second = await schedules.add(schedule({ name: 'nightly', specText: 'every day 02:00-05:00', canonical: 'every day 02:00-05:00 UTC' }));

    expect(first).toEqual({ id: 1, ...schedule() });
    expect(second.id).toBe(2);
    expect(await schedules.list()).toEqual([first, second]);
    expect(await schedules.get(1)).toEqual(first);
    expect(await schedules.get(2)).toEqual(second);
    expect(await schedules.findByName('quarterly')).toEqual(first);
    expect(await schedules.findByName('nightly')).toEqual(second);
  });

  it('stores the spec as typed next to its canonical form, and the time as ISO 8601 UTC', async () => {
    const { store, schedules } = await freshRepository();

    await schedules.add(schedule({ approval: 'pre-approved', createdAt: new Date('2026-11-25T13:00:00.123+01:00') }));

    expect(await store.database.get('SELECT * FROM schedules')).toEqual({
      id: 1,
      name: 'quarterly',
      spec_text: 'Every 2nd TUE of jan,apr,jul,oct 14:00-17:00',
      canonical: 'every 2nd tue of jan,apr,jul,oct 14:00-17:00 Europe/Zurich',
      approval: 'pre-approved',
      created_by: 'console:alice',
      created_at: '2026-11-25T12:00:00.123Z',
      removed_by: null,
      removed_at: null,
    });
  });

  it('stores a missing name as NULL and reads it back as undefined', async () => {
    const { store, schedules } = await freshRepository();

    const added = await schedules.add(schedule({ name: undefined }));

    expect(added.name).toBeUndefined();
    expect(await store.database.get('SELECT name FROM schedules WHERE id = ?', [added.id])).toEqual({ name: null });
    const [listed] = await schedules.list();
    expect(listed).toBeDefined();
    expect(listed?.name).toBeUndefined();
    expect((await schedules.get(added.id))?.name).toBeUndefined();
    expect(listed).toEqual(added);
  });

  it('allows any number of unnamed schedules', async () => {
    const { schedules } = await freshRepository();

    await schedules.add(schedule({ name: undefined }));
    await schedules.add(schedule({ name: undefined }));
    await schedules.add(schedule({ name: undefined }));

    expect((await schedules.list()).map((listed) => listed.id)).toEqual([1, 2, 3]);
  });

  it('round-trips the creation time to the millisecond', async () => {
    const { schedules } = await freshRepository();
    const createdAt = new Date('2027-03-28T00:59:59.999Z');

    await schedules.add(schedule({ createdAt }));

    expect((await schedules.get(1))?.createdAt).toEqual(createdAt);
  });
});

describe('SqliteScheduleRepository lookups', () => {
  it('returns undefined for an id or name that never existed', async () => {
    const { schedules } = await freshRepository();
    await schedules.add(schedule());

    expect(await schedules.get(2)).toBeUndefined();
    expect(await schedules.get(0)).toBeUndefined();
    expect(await schedules.findByName('Quarterly')).toBeUndefined();
    expect(await schedules.findByName('nosuch')).toBeUndefined();
  });

  it('lists nothing on an empty table', async () => {
    const { schedules } = await freshRepository();

    expect(await schedules.list()).toEqual([]);
  });

  it('treats a name as data, not SQL', async () => {
    const { schedules } = await freshRepository();
    await schedules.add(schedule());

    expect(await schedules.findByName("x' OR '1'='1")).toBeUndefined();
  });
});

describe('SqliteScheduleRepository.remove', () => {
  it('retires the row: gone from list, get and findByName, still in the table with who and when', async () => {
    const { store, schedules } = await freshRepository();
    const kept = await schedules.add(schedule({ name: 'kept' }));
    const removed = await schedules.add(schedule());

    expect(await schedules.remove(removed.id, 'console:bob', REMOVED_AT)).toBe(true);

    expect(await schedules.list()).toEqual([kept]);
    expect(await schedules.get(removed.id)).toBeUndefined();
    expect(await schedules.findByName('quarterly')).toBeUndefined();
    expect(await store.database.get('SELECT name, removed_by, removed_at FROM schedules WHERE id = ?', [removed.id])).toEqual({
      name: 'quarterly',
      removed_by: 'console:bob',
      removed_at: '2026-11-26T08:30:00.000Z',
    });
    expect(await store.database.get('SELECT removed_by, removed_at FROM schedules WHERE id = ?', [kept.id])).toEqual({
      removed_by: null,
      removed_at: null,
    });
    expect(await rowCount(store.database, 'schedules')).toBe(2);
  });

  it('returns false when removing twice, and the first removal stays as recorded', async () => {
    const { store, schedules } = await freshRepository();
    const added = await schedules.add(schedule());

    expect(await schedules.remove(added.id, 'console:bob', REMOVED_AT)).toBe(true);
    expect(await schedules.remove(added.id, 'console:carol', new Date('2026-12-01T00:00:00.000Z'))).toBe(false);

    expect(await store.database.get('SELECT removed_by, removed_at FROM schedules WHERE id = ?', [added.id])).toEqual({
      removed_by: 'console:bob',
      removed_at: '2026-11-26T08:30:00.000Z',
    });
  });

  it('returns false for an id that does not exist and changes nothing', async () => {
    const { store, schedules } = await freshRepository();
    const added = await schedules.add(schedule());

    expect(await schedules.remove(99, 'console:bob', REMOVED_AT)).toBe(false);

    expect(await schedules.list()).toEqual([added]);
    expect(await rowCount(store.database, 'schedules')).toBe(1);
  });
});

describe('schedules table constraints', () => {
  it('refuses a second active schedule with the same name and keeps the first', async () => {
    const { store, schedules } = await freshRepository();
    const first = await schedules.add(schedule());

    const error = expectStorageError(
      await rejectionOf(schedules.add(schedule({ canonical: 'every day 02:00-05:00 UTC' }))),
      /UNIQUE constraint failed: schedules\.name/,
    );

    expect(error.code).toBe('SQLITE_CONSTRAINT');
    expect(await schedules.list()).toEqual([first]);
    expect(await rowCount(store.database, 'schedules')).toBe(1);
  });

  it('lets a new schedule reuse the name of a removed one, while the removed row keeps it', async () => {
    const { store, schedules } = await freshRepository();
    const old = await schedules.add(schedule());
    await schedules.remove(old.id, 'console:bob', REMOVED_AT);

    const reused = await schedules.add(schedule({ canonical: 'every day 02:00-05:00 UTC' }));

    expect(reused.id).toBe(2);
    expect(await schedules.findByName('quarterly')).toEqual(reused);
    expect(await store.database.all('SELECT id, name, removed_at FROM schedules ORDER BY id')).toEqual([
      { id: 1, name: 'quarterly', removed_at: '2026-11-26T08:30:00.000Z' },
      { id: 2, name: 'quarterly', removed_at: null },
    ]);
    // Removing the reused one too leaves two retired rows with the same name.
    expect(await schedules.remove(reused.id, 'console:bob', REMOVED_AT)).toBe(true);
    expect(await schedules.list()).toEqual([]);
  });

  it('compares names exactly: names differing only in case are distinct', async () => {
    const { schedules } = await freshRepository();

    await schedules.add(schedule({ name: 'nightly' }));
    await schedules.add(schedule({ name: 'Nightly' }));

    expect((await schedules.findByName('Nightly'))?.id).toBe(2);
    expect((await schedules.findByName('nightly'))?.id).toBe(1);
  });

  it('refuses an approval policy other than required or pre-approved', async () => {
    const { store, schedules } = await freshRepository();

    const error = expectStorageError(
      await rejectionOf(schedules.add(schedule({ approval: 'auto' as unknown as ApprovalPolicy }))),
      /CHECK constraint failed/,
    );

    expect(error.code).toBe('SQLITE_CONSTRAINT');
    expect(await rowCount(store.database, 'schedules')).toBe(0);
  });

  it.each([
    ['an empty name', { name: '' }],
    ['a name longer than 64 characters', { name: 'n'.repeat(65) }],
    ['an empty spec text', { specText: '' }],
    ['an empty canonical form', { canonical: '' }],
  ] satisfies [string, Partial<NewSchedule>][])('refuses %s', async (_what, overrides) => {
    const { store, schedules } = await freshRepository();

    const error = expectStorageError(await rejectionOf(schedules.add(schedule(overrides))), /CHECK constraint failed/);

    expect(error.code).toBe('SQLITE_CONSTRAINT');
    expect(await rowCount(store.database, 'schedules')).toBe(0);
  });

  it('accepts a name of exactly 64 characters', async () => {
    const { schedules } = await freshRepository();
    const name = 'n'.repeat(64);

    await schedules.add(schedule({ name }));

    expect((await schedules.findByName(name))?.id).toBe(1);
  });

  it('reports a row with an unknown approval policy as a storage error instead of passing it on', async () => {
    const { store, schedules } = await freshRepository();
    // Only a hand-edited database can hold such a row: the CHECK constraint is switched off here.
    await store.database.exec('PRAGMA ignore_check_constraints = ON');
    await store.database.run(
      "INSERT INTO schedules (name, spec_text, canonical, approval, created_by, created_at) VALUES (NULL, 's', 'c', 'auto', 'x', '2026-11-25T00:00:00.000Z')",
    );
    await store.database.exec('PRAGMA ignore_check_constraints = OFF');

    expectStorageError(await rejectionOf(schedules.list()), 'schedule 1 has an unknown approval policy auto');
    expectStorageError(await rejectionOf(schedules.get(1)), 'schedule 1 has an unknown approval policy auto');
  });
});

describe('SqliteTransactions', () => {
  it('rolls back every repository when the work throws, and rethrows the same error', async () => {
    const { store } = await freshRepository();
    const transactions = new SqliteTransactions(store.database);
    const failure = new Error('chat post failed');

    const error = await rejectionOf(
      transactions.run(async ({ schedules, skips, audit }) => {
        await schedules.add(schedule());
        await skips.add({
          range: { from: '2026-12-20', to: '2027-01-06', zone: 'Europe/Zurich' },
          reason: 'year-end freeze',
          createdBy: 'console:alice',
          createdAt: CREATED_AT,
        });
        await audit.record({ at: CREATED_AT, actor: 'console:alice', action: 'schedule.added', subject: 'schedule:1' });
        // Reads inside the transaction see its own writes.
        expect(await schedules.list()).toHaveLength(1);
        expect(await skips.list()).toHaveLength(1);
        throw failure;
      }),
    );

    expect(error).toBe(failure);
    expect(await rowCounts(store.database)).toEqual({ schedules: 0, skips: 0, audit_log: 0 });
  });

  it('rolls back a removal together with its audit entry', async () => {
    const { store, schedules } = await freshRepository();
    const added = await schedules.add(schedule());
    const transactions = new SqliteTransactions(store.database);

    await expect(
      transactions.run(async (repositories) => {
        expect(await repositories.schedules.remove(added.id, 'console:bob', REMOVED_AT)).toBe(true);
        await repositories.audit.record({ at: REMOVED_AT, actor: 'console:bob', action: 'schedule.removed', subject: 'schedule:1' });
        throw new Error('audit sink down');
      }),
    ).rejects.toThrow('audit sink down');

    expect(await schedules.list()).toEqual([added]);
    expect(await rowCount(store.database, 'audit_log')).toBe(0);
  });

  it('rolls back the earlier writes when a later statement violates a constraint', async () => {
    const { store, schedules } = await freshRepository();
    await schedules.add(schedule());
    const transactions = new SqliteTransactions(store.database);

    const error = await rejectionOf(
      transactions.run(async (repositories) => {
        await repositories.audit.record({ at: CREATED_AT, actor: 'console:alice', action: 'schedule.added', subject: 'schedule:2' });
        await repositories.schedules.add(schedule({ name: 'other' }));
        await repositories.schedules.add(schedule()); // duplicate active name
      }),
    );

    expectStorageError(error, /UNIQUE constraint failed/);
    expect((await schedules.list()).map((listed) => listed.name)).toEqual(['quarterly']);
    expect(await rowCounts(store.database)).toEqual({ schedules: 1, skips: 0, audit_log: 0 });
  });

  it('keeps everything and returns the result when the work resolves', async () => {
    const { store } = await freshRepository();
    const transactions = new SqliteTransactions(store.database);

    const id = await transactions.run(async ({ schedules, audit }) => {
      const added = await schedules.add(schedule());
      await audit.record({ at: CREATED_AT, actor: 'console:alice', action: 'schedule.added', subject: `schedule:${added.id}` });
      return added.id;
    });

    expect(id).toBe(1);
    const repositories = repositoriesOn(store.database);
    expect((await repositories.schedules.get(1))?.name).toBe('quarterly');
    expect((await repositories.audit.list()).map((entry) => entry.subject)).toEqual(['schedule:1']);
  });
});
