// SqliteWindowRepository on a real migrated database: every field round-trips (NULL for
// undefined, 0/1 for booleans, ISO 8601 UTC for instants), the table's CHECK, UNIQUE and
// FOREIGN KEY constraints, live/recent ordering, lookups by schedule, and transactions that
// span windows, node progress and the outbox.
import { afterEach, describe, expect, it } from 'vitest';
import type { NewWindow } from '../../../bot/core/ports/window-repository.ts';
import { WINDOW_STATES } from '../../../bot/core/windows/maintenance-window.ts';
import type { MaintenanceWindow, WindowState } from '../../../bot/core/windows/maintenance-window.ts';
import type { OpenedStore } from '../../../storage/open-store.ts';
import type { SqlExecutor } from '../../../storage/sqlite-database.ts';
import { SqliteTransactions } from '../../../storage/sqlite-repositories.ts';
import { SqliteScheduleRepository } from '../../../storage/sqlite-schedule-repository.ts';
import { SqliteWindowRepository } from '../../../storage/sqlite-window-repository.ts';
import { openDatabases } from '../../support/databases.ts';
import { rejectionOf } from '../../support/rejection.ts';
import { expectStorageError } from '../../support/storage-errors.ts';
import { openTempStore } from '../../support/stores.ts';
import { tempDirs } from '../../support/temp-dirs.ts';

const dirs = tempDirs();
const databases = openDatabases();

afterEach(async () => {
  await databases.closeAll();
  dirs.removeAll();
});

const REQUESTED_AT = new Date('2026-11-25T12:00:00.123Z');

async function freshRepository(): Promise<{ store: OpenedStore; windows: SqliteWindowRepository }> {
  const store = await openTempStore(dirs, databases, new Date('2026-11-25T00:00:00.000Z'));
  return { store, windows: new SqliteWindowRepository(store.database) };
}

/** Adds schedules 1..count, so windows can reference them (schedule_id is a foreign key). */
async function addSchedules(database: SqlExecutor, count: number): Promise<void> {
  const schedules = new SqliteScheduleRepository(database);
  for (let index = 1; index <= count; index += 1) {
    await schedules.add({
      name: `schedule-${index}`,
      specText: 'every day 02:00-05:00',
      canonical: 'every day 02:00-05:00 UTC',
      approval: 'required',
      createdBy: 'console:alice',
      createdAt: REQUESTED_AT,
    });
  }
}

async function countRows(database: SqlExecutor, table: 'windows' | 'window_nodes' | 'outbox' | 'message_refs' | 'audit_log'): Promise<number> {
  const row = await database.get(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(row?.['n']);
}

/** An on-demand request with every optional field undefined. */
function window(overrides: Partial<NewWindow> = {}): NewWindow {
  return {
    origin: { kind: 'on-demand' },
    state: 'requested',
    start: new Date('2026-12-01T13:00:00.000Z'),
    end: new Date('2026-12-01T16:00:00.000Z'),
    zone: 'Europe/Zurich',
    concurrency: 1,
    nodeSelector: undefined,
    reason: 'kernel CVE-2026-1234',
    requestedBy: 'console:alice',
    requestedAt: REQUESTED_AT,
    approvalRequired: true,
    approvalExpiresAt: undefined,
    decidedBy: undefined,
    decidedAt: undefined,
    paused: false,
    openedAt: undefined,
    closedAt: undefined,
    closeReason: undefined,
    note: undefined,
    ...overrides,
  };
}

/** A closed scheduled window with every field set. */
function fullWindow(overrides: Partial<NewWindow> = {}): NewWindow {
  return window({
    origin: { kind: 'schedule', scheduleId: 1, scheduleName: 'nightly' },
    state: 'closed',
    start: new Date('2026-12-02T02:00:00.001Z'),
    end: new Date('2026-12-02T05:00:00.999Z'),
    zone: 'America/New_York',
    concurrency: 3,
    nodeSelector: 'pool=workers,zone in (a,b)',
    reason: 'Patch-Dienstag 🩹 — “quoted”',
    requestedBy: 'schedule:nightly',
    requestedAt: new Date('2026-12-01T02:00:00.000Z'),
    approvalRequired: false,
    approvalExpiresAt: new Date('2026-12-02T01:59:59.999Z'),
    decidedBy: 'slack:U123',
    decidedAt: new Date('2026-12-01T09:15:30.456Z'),
    paused: true,
    openedAt: new Date('2026-12-02T02:00:01.500Z'),
    closedAt: new Date('2026-12-02T04:10:00.000Z'),
    closeReason: 'closed-early',
    note: 'closed early by slack:U123',
    ...overrides,
  });
}

describe('SqliteWindowRepository.create', () => {
  it('returns the new id with the fields, and get returns the same with undefined fields intact', async () => {
    const { windows } = await freshRepository();

    const first = await windows.create(window());
    const second = await windows.create(window({ reason: 'second' }));

    expect(first).toEqual({ id: 1, ...window() });
    expect(second).toEqual({ id: 2, ...window({ reason: 'second' }) });
    const read = await windows.get(1);
    expect(read).toEqual(first);
    expect(read?.nodeSelector).toBeUndefined();
    expect(read?.approvalExpiresAt).toBeUndefined();
    expect(read?.decidedBy).toBeUndefined();
    expect(read?.decidedAt).toBeUndefined();
    expect(read?.openedAt).toBeUndefined();
    expect(read?.closedAt).toBeUndefined();
    expect(read?.closeReason).toBeUndefined();
    expect(read?.note).toBeUndefined();
    expect(read?.origin).toEqual({ kind: 'on-demand' });
    expect(await windows.get(2)).toEqual(second);
  });

  it('stores undefined as NULL, booleans as 0/1 and instants as ISO 8601 UTC', async () => {
    const { store, windows } = await freshRepository();

    await windows.create(window({ requestedAt: new Date('2026-11-25T13:00:00.123+01:00') }));

    expect(await store.database.get('SELECT * FROM windows')).toEqual({
      id: 1,
      origin: 'on-demand',
      schedule_id: null,
      schedule_name: null,
      state: 'requested',
      start_at: '2026-12-01T13:00:00.000Z',
      end_at: '2026-12-01T16:00:00.000Z',
      zone: 'Europe/Zurich',
      concurrency: 1,
      node_selector: null,
      reason: 'kernel CVE-2026-1234',
      requested_by: 'console:alice',
      requested_at: '2026-11-25T12:00:00.123Z',
      approval_required: 1,
      approval_expires_at: null,
      decided_by: null,
      decided_at: null,
      paused: 0,
      opened_at: null,
      closed_at: null,
      close_reason: null,
      note: null,
    });
  });

  it('round-trips a scheduled window with every field set, and stores each in its column', async () => {
    const { store, windows } = await freshRepository();
    await addSchedules(store.database, 1);

    const created = await windows.create(fullWindow());

    expect(created).toEqual({ id: 1, ...fullWindow() });
    expect(await windows.get(1)).toEqual(created);
    expect(await store.database.get('SELECT * FROM windows')).toEqual({
      id: 1,
      origin: 'schedule',
      schedule_id: 1,
      schedule_name: 'nightly',
      state: 'closed',
      start_at: '2026-12-02T02:00:00.001Z',
      end_at: '2026-12-02T05:00:00.999Z',
      zone: 'America/New_York',
      concurrency: 3,
      node_selector: 'pool=workers,zone in (a,b)',
      reason: 'Patch-Dienstag 🩹 — “quoted”',
      requested_by: 'schedule:nightly',
      requested_at: '2026-12-01T02:00:00.000Z',
      approval_required: 0,
      approval_expires_at: '2026-12-02T01:59:59.999Z',
      decided_by: 'slack:U123',
      decided_at: '2026-12-01T09:15:30.456Z',
      paused: 1,
      opened_at: '2026-12-02T02:00:01.500Z',
      closed_at: '2026-12-02T04:10:00.000Z',
      close_reason: 'closed-early',
      note: 'closed early by slack:U123',
    });
  });

  it('round-trips a scheduled window whose schedule has no name', async () => {
    const { store, windows } = await freshRepository();
    await addSchedules(store.database, 1);

    const created = await windows.create(window({ origin: { kind: 'schedule', scheduleId: 1, scheduleName: undefined } }));

    const read = await windows.get(created.id);
    expect(read?.origin).toEqual({ kind: 'schedule', scheduleId: 1, scheduleName: undefined });
    expect(read).toEqual(created);
    expect(await store.database.get('SELECT origin, schedule_id, schedule_name FROM windows')).toEqual({
      origin: 'schedule',
      schedule_id: 1,
      schedule_name: null,
    });
  });

  it('round-trips an empty reason and the ended close reason', async () => {
    const { windows } = await freshRepository();

    const created = await windows.create(window({ reason: '', state: 'closed', closeReason: 'ended', closedAt: new Date('2026-12-01T16:00:00.000Z') }));

    expect(await windows.get(created.id)).toEqual(created);
  });

  it('round-trips every window state', async () => {
    const { windows } = await freshRepository();

    for (const state of WINDOW_STATES) await windows.create(window({ state }));

    expect((await windows.listRecent(100)).map((listed) => listed.state).reverse()).toEqual([...WINDOW_STATES]);
  });

  it('refuses an invalid date before writing anything', async () => {
    const { store, windows } = await freshRepository();

    expectStorageError(await rejectionOf(windows.create(window({ end: new Date(Number.NaN) }))), 'the end of new window is an invalid date');
    expectStorageError(
      await rejectionOf(windows.create(window({ decidedAt: new Date('not a date') }))),
      'the decision time of new window is an invalid date',
    );

    expect(await countRows(store.database, 'windows')).toBe(0);
  });
});

describe('SqliteWindowRepository.save', () => {
  it('stores every field of an existing window', async () => {
    const { store, windows } = await freshRepository();
    await addSchedules(store.database, 2);
    const created = await windows.create(window());
    const other = await windows.create(window({ reason: 'untouched' }));

    const changed: MaintenanceWindow = { id: created.id, ...fullWindow({ origin: { kind: 'schedule', scheduleId: 2, scheduleName: 'weekly' } }) };
    await windows.save(changed);

    expect(await windows.get(created.id)).toEqual(changed);
    expect(await windows.get(other.id)).toEqual(other);
  });

  it('clears fields set to undefined back to NULL, and returns to on-demand', async () => {
    const { store, windows } = await freshRepository();
    await addSchedules(store.database, 1);
    const created = await windows.create(fullWindow());

    const cleared: MaintenanceWindow = { id: created.id, ...window() };
    await windows.save(cleared);

    expect(await windows.get(created.id)).toEqual(cleared);
    expect(
      await store.database.get(
        'SELECT schedule_id, schedule_name, node_selector, approval_expires_at, decided_by, decided_at, opened_at, closed_at, close_reason, note, paused, approval_required FROM windows',
      ),
    ).toEqual({
      schedule_id: null,
      schedule_name: null,
      node_selector: null,
      approval_expires_at: null,
      decided_by: null,
      decided_at: null,
      opened_at: null,
      closed_at: null,
      close_reason: null,
      note: null,
      paused: 0,
      approval_required: 1,
    });
  });

  it('fails for a window that does not exist and writes nothing', async () => {
    const { store, windows } = await freshRepository();

    expectStorageError(await rejectionOf(windows.save({ id: 7, ...window() })), 'window 7 does not exist');

    expect(await countRows(store.database, 'windows')).toBe(0);
  });

  it('keeps the stored window when the new state violates a constraint', async () => {
    const { windows } = await freshRepository();
    const created = await windows.create(window());

    const error = expectStorageError(await rejectionOf(windows.save({ ...created, concurrency: 0 })), /CHECK constraint failed/);

    expect(error.code).toBe('SQLITE_CONSTRAINT');
    expect(await windows.get(created.id)).toEqual(created);
  });
});

describe('SqliteWindowRepository lookups', () => {
  it('returns undefined for a window that does not exist', async () => {
    const { windows } = await freshRepository();
    await windows.create(window());

    expect(await windows.get(2)).toBeUndefined();
    expect(await windows.get(0)).toBeUndefined();
  });

  it('lists live windows (not rejected, expired, closed, cancelled or failed) by start, then id', async () => {
    const { windows } = await freshRepository();
    const at = (day: number): Partial<NewWindow> => ({
      start: new Date(`2026-12-${String(day).padStart(2, '0')}T13:00:00.000Z`),
      end: new Date(`2026-12-${String(day).padStart(2, '0')}T16:00:00.000Z`),
    });
    const states: [WindowState, number][] = [
      ['open', 5],
      ['closed', 1],
      ['requested', 9],
      ['rejected', 2],
      ['approved', 3],
      ['expired', 3],
      ['scheduled', 7],
      ['cancelled', 4],
      ['opening', 5],
      ['failed', 6],
      ['closing', 2],
      ['requested', 3],
    ];
    for (const [state, day] of states) await windows.create(window({ state, ...at(day) }));

    const live = await windows.listLive();

    expect(live.map((listed) => `${listed.id} ${listed.state}`)).toEqual([
      '11 closing',
      '5 approved',
      '12 requested',
      '1 open',
      '9 opening',
      '7 scheduled',
      '3 requested',
    ]);
    expect(live[0]).toEqual(await windows.get(11));
  });

  it('orders live windows by instant, also across milliseconds', async () => {
    const { windows } = await freshRepository();
    await windows.create(window({ start: new Date('2026-12-01T13:00:00.010Z') }));
    await windows.create(window({ start: new Date('2026-12-01T13:00:00.002Z') }));
    await windows.create(window({ start: new Date('2026-12-01T12:59:59.999Z') }));

    expect((await windows.listLive()).map((listed) => listed.id)).toEqual([3, 2, 1]);
  });

  it('lists no live windows on an empty table or when all are final', async () => {
    const { windows } = await freshRepository();
    expect(await windows.listLive()).toEqual([]);

    await windows.create(window({ state: 'closed' }));
    await windows.create(window({ state: 'failed' }));

    expect(await windows.listLive()).toEqual([]);
  });

  it('lists recent windows newest id first, whatever their state or start, up to the limit', async () => {
    const { windows } = await freshRepository();
    const created: MaintenanceWindow[] = [];
    created.push(await windows.create(window({ state: 'closed', start: new Date('2027-01-01T00:00:00.000Z'), end: new Date('2027-01-01T01:00:00.000Z') })));
    created.push(await windows.create(window({ state: 'open' })));
    created.push(await windows.create(window({ state: 'rejected', start: new Date('2026-01-01T00:00:00.000Z'), end: new Date('2026-01-01T01:00:00.000Z') })));
    created.push(await windows.create(window({ state: 'requested' })));

    expect(await windows.listRecent(2)).toEqual([created[3], created[2]]);
    expect((await windows.listRecent(10)).map((listed) => listed.id)).toEqual([4, 3, 2, 1]);
    expect((await windows.listRecent(4)).map((listed) => listed.id)).toEqual([4, 3, 2, 1]);
    expect((await windows.listRecent(1.9)).map((listed) => listed.id)).toEqual([4]);
    expect(await windows.listRecent(0)).toEqual([]);
    expect(await windows.listRecent(-5)).toEqual([]);
    expectStorageError(await rejectionOf(windows.listRecent(Number.NaN)), 'the number of windows to list is NaN');
  });

  it('finds the window a schedule produced for a start, whatever its state', async () => {
    const { store, windows } = await freshRepository();
    await addSchedules(store.database, 2);
    const start = new Date('2026-12-02T02:00:00.000Z');
    const end = new Date('2026-12-02T05:00:00.000Z');
    await windows.create(window({ start, end })); // on-demand at the same start
    const cancelled = await windows.create(
      window({ origin: { kind: 'schedule', scheduleId: 1, scheduleName: 'schedule-1' }, state: 'cancelled', start, end }),
    );
    const otherSchedule = await windows.create(window({ origin: { kind: 'schedule', scheduleId: 2, scheduleName: 'schedule-2' }, start, end }));
    const nextDay = await windows.create(
      window({
        origin: { kind: 'schedule', scheduleId: 1, scheduleName: 'schedule-1' },
        start: new Date('2026-12-03T02:00:00.000Z'),
        end: new Date('2026-12-03T05:00:00.000Z'),
      }),
    );

    expect(await windows.findBySchedule(1, start)).toEqual(cancelled);
    expect(await windows.findBySchedule(2, start)).toEqual(otherSchedule);
    expect(await windows.findBySchedule(1, new Date('2026-12-03T02:00:00.000Z'))).toEqual(nextDay);
    expect(await windows.findBySchedule(1, new Date('2026-12-02T02:00:00.001Z'))).toBeUndefined();
    expect(await windows.findBySchedule(3, start)).toBeUndefined();
  });

  it('finds a window by schedule for the same instant given in another offset', async () => {
    const { store, windows } = await freshRepository();
    await addSchedules(store.database, 1);
    const created = await windows.create(
      window({
        origin: { kind: 'schedule', scheduleId: 1, scheduleName: undefined },
        start: new Date('2026-12-02T02:00:00.000Z'),
        end: new Date('2026-12-02T05:00:00.000Z'),
      }),
    );

    expect(await windows.findBySchedule(1, new Date('2026-12-02T03:00:00+01:00'))).toEqual(created);
  });
});

describe('windows table constraints', () => {
  it('refuses an unknown state', async () => {
    const { store, windows } = await freshRepository();

    const error = expectStorageError(
      await rejectionOf(windows.create(window({ state: 'paused' as unknown as WindowState }))),
      /CHECK constraint failed/,
    );

    expect(error.code).toBe('SQLITE_CONSTRAINT');
    expect(await countRows(store.database, 'windows')).toBe(0);
  });

  it.each([
    ['a concurrency of 0', { concurrency: 0 }],
    ['a negative concurrency', { concurrency: -1 }],
    ['a start equal to the end', { start: new Date('2026-12-01T13:00:00.000Z'), end: new Date('2026-12-01T13:00:00.000Z') }],
    ['a start after the end', { start: new Date('2026-12-01T16:00:00.001Z'), end: new Date('2026-12-01T16:00:00.000Z') }],
  ] satisfies [string, Partial<NewWindow>][])('refuses %s', async (_what, overrides) => {
    const { store, windows } = await freshRepository();

    const error = expectStorageError(await rejectionOf(windows.create(window(overrides))), /CHECK constraint failed/);

    expect(error.code).toBe('SQLITE_CONSTRAINT');
    expect(await countRows(store.database, 'windows')).toBe(0);
  });

  it('accepts a window one millisecond long and a concurrency of 1', async () => {
    const { windows } = await freshRepository();

    const created = await windows.create(window({ start: new Date('2026-12-01T13:00:00.000Z'), end: new Date('2026-12-01T13:00:00.001Z') }));

    expect(await windows.get(created.id)).toEqual(created);
  });

  it('refuses a schedule origin without a schedule id, and an on-demand origin with one', async () => {
    const { store } = await freshRepository();
    await addSchedules(store.database, 1);
    const insert = (origin: string, scheduleId: number | null): Promise<unknown> =>
      store.database.run(
        `INSERT INTO windows (origin, schedule_id, state, start_at, end_at, zone, concurrency, requested_by, requested_at, approval_required)
         VALUES (?, ?, 'requested', '2026-12-01T13:00:00.000Z', '2026-12-01T16:00:00.000Z', 'UTC', 1, 'x', '2026-11-25T00:00:00.000Z', 1)`,
        [origin, scheduleId],
      );

    expect(expectStorageError(await rejectionOf(insert('schedule', null)), /CHECK constraint failed/).code).toBe('SQLITE_CONSTRAINT');
    expect(expectStorageError(await rejectionOf(insert('on-demand', 1)), /CHECK constraint failed/).code).toBe('SQLITE_CONSTRAINT');
    expect(expectStorageError(await rejectionOf(insert('manual', null)), /CHECK constraint failed/).code).toBe('SQLITE_CONSTRAINT');
    expect(await countRows(store.database, 'windows')).toBe(0);
  });

  it('refuses an unknown close reason and booleans other than 0 and 1', async () => {
    const { store, windows } = await freshRepository();
    const created = await windows.create(window());

    for (const assignment of ["close_reason = 'timeout'", 'paused = 2', 'approval_required = -1']) {
      const error = expectStorageError(await rejectionOf(store.database.run(`UPDATE windows SET ${assignment}`)), /CHECK constraint failed/);
      expect(error.code).toBe('SQLITE_CONSTRAINT');
    }

    expect(await windows.get(created.id)).toEqual(created);
  });

  it('refuses a second window of the same schedule at the same start, in any state', async () => {
    const { store, windows } = await freshRepository();
    await addSchedules(store.database, 2);
    const origin = { kind: 'schedule', scheduleId: 1, scheduleName: 'schedule-1' } as const;
    const first = await windows.create(window({ origin, state: 'cancelled' }));

    const error = expectStorageError(
      await rejectionOf(windows.create(window({ origin, state: 'scheduled' }))),
      /UNIQUE constraint failed: windows\.schedule_id, windows\.start_at/,
    );

    expect(error.code).toBe('SQLITE_CONSTRAINT');
    expect(await windows.listRecent(10)).toEqual([first]);
    // Another start of the same schedule, the same start of another schedule, and on-demand
    // windows at that start are all fine.
    await windows.create(window({ origin, start: new Date('2026-12-01T13:00:00.001Z') }));
    await windows.create(window({ origin: { kind: 'schedule', scheduleId: 2, scheduleName: undefined } }));
    await windows.create(window());
    await windows.create(window());
    expect(await countRows(store.database, 'windows')).toBe(5);
  });

  it('refuses a window of a schedule that does not exist', async () => {
    const { store, windows } = await freshRepository();

    const error = expectStorageError(
      await rejectionOf(windows.create(window({ origin: { kind: 'schedule', scheduleId: 42, scheduleName: 'ghost' } }))),
      /FOREIGN KEY constraint failed/,
    );

    expect(error.code).toBe('SQLITE_CONSTRAINT');
    expect(await countRows(store.database, 'windows')).toBe(0);
  });
});

describe('SqliteWindowRepository reading rows it cannot have written', () => {
  /** Inserts a requested window with `assignments` applied, CHECK constraints switched off. */
  async function handEdited(database: SqlExecutor, assignments: string): Promise<void> {
    await database.run(
      `INSERT INTO windows (origin, state, start_at, end_at, zone, concurrency, requested_by, requested_at, approval_required)
       VALUES ('on-demand', 'requested', '2026-12-01T13:00:00.000Z', '2026-12-01T16:00:00.000Z', 'UTC', 1, 'x', '2026-11-25T00:00:00.000Z', 1)`,
    );
    await database.exec('PRAGMA ignore_check_constraints = ON');
    await database.run(`UPDATE windows SET ${assignments}`);
    await database.exec('PRAGMA ignore_check_constraints = OFF');
  }

  it.each([
    ["state = 'paused'", 'window 1 has an unknown state paused'],
    ["origin = 'manual'", 'window 1 has an unknown origin manual'],
    ["origin = 'schedule'", 'window 1 comes from a schedule but has no schedule_id'],
    ["close_reason = 'timeout'", 'window 1 has an unknown close_reason timeout'],
    ["start_at = 'next tuesday'", "window 1 has an invalid start_at 'next tuesday'"],
    ["decided_at = ''", "window 1 has an invalid decided_at ''"],
    ['paused = 2', 'window 1 has an invalid paused 2'],
    ["approval_required = 'yes'", "window 1 has an invalid approval_required 'yes'"],
    ['concurrency = 1.5', 'window 1 has an invalid concurrency 1.5'],
    ["zone = X'0102'", 'window 1 has an invalid zone (a blob of 2 bytes)'],
  ])('reports %s as a storage error instead of passing it on', async (assignment, message) => {
    const { store, windows } = await freshRepository();
    await handEdited(store.database, assignment);

    expectStorageError(await rejectionOf(windows.get(1)), message);
    expectStorageError(await rejectionOf(windows.listRecent(10)), message);
  });
});

describe('SqliteTransactions with windows, node progress and the outbox', () => {
  it('rolls back the window, its progress, its chat message and its audit entry when the work throws', async () => {
    const { store, windows } = await freshRepository();
    const transactions = new SqliteTransactions(store.database);
    const failure = new Error('cluster unreachable');

    const error = await rejectionOf(
      transactions.run(async (repositories) => {
        const created = await repositories.windows.create(window());
        await repositories.nodeProgress.save(created.id, {
          node: 'worker-1',
          state: 'pending',
          bootIdBefore: 'boot-a',
          podsLeft: undefined,
          blockedBy: undefined,
          startedAt: undefined,
          rebootAt: undefined,
          doneAt: undefined,
        });
        await repositories.outbox.enqueue({ kind: 'post', key: `window:${created.id}`, message: { fallbackText: 'requested', blocks: [] } }, REQUESTED_AT);
        await repositories.outbox.saveRef(`window:${created.id}`, { id: 'C1/1700000000.000100' });
        await repositories.audit.record({ at: REQUESTED_AT, actor: 'console:alice', action: 'window.requested', subject: `window:${created.id}` });
        // Reads inside the transaction see its own writes.
        expect(await repositories.windows.listLive()).toEqual([created]);
        expect(await repositories.outbox.countPending()).toBe(1);
        throw failure;
      }),
    );

    expect(error).toBe(failure);
    expect(await windows.listRecent(10)).toEqual([]);
    for (const table of ['windows', 'window_nodes', 'outbox', 'message_refs', 'audit_log'] as const) {
      expect(await countRows(store.database, table)).toBe(0);
    }
  });

  it('rolls back a saved state change together with the outbox update it caused', async () => {
    const { store, windows } = await freshRepository();
    const created = await windows.create(window());
    const transactions = new SqliteTransactions(store.database);

    await expect(
      transactions.run(async (repositories) => {
        await repositories.windows.save({ ...created, state: 'approved', decidedBy: 'console:bob', decidedAt: REQUESTED_AT });
        await repositories.outbox.enqueue({ kind: 'update', key: 'window:1', message: { fallbackText: 'approved', blocks: [] } }, REQUESTED_AT);
        throw new Error('audit sink down');
      }),
    ).rejects.toThrow('audit sink down');

    expect(await windows.get(created.id)).toEqual(created);
    expect(await countRows(store.database, 'outbox')).toBe(0);
  });

  it('rolls back the window when a later outbox write fails', async () => {
    const { store, windows } = await freshRepository();
    const transactions = new SqliteTransactions(store.database);

    const error = await rejectionOf(
      transactions.run(async (repositories) => {
        await repositories.windows.create(window());
        await repositories.outbox.markDelivered(99, REQUESTED_AT);
      }),
    );

    expectStorageError(error, 'outbox entry 99 does not exist');
    expect(await windows.listRecent(10)).toEqual([]);
    expect(await countRows(store.database, 'windows')).toBe(0);
  });

  it('keeps the window and its outbox entry when the work resolves', async () => {
    const { store, windows } = await freshRepository();
    const transactions = new SqliteTransactions(store.database);

    const created = await transactions.run(async (repositories) => {
      const added = await repositories.windows.create(window());
      await repositories.outbox.enqueue({ kind: 'post', key: `window:${added.id}`, message: { fallbackText: 'requested', blocks: [] } }, REQUESTED_AT);
      return added;
    });

    expect(await windows.get(created.id)).toEqual(created);
    expect(await countRows(store.database, 'outbox')).toBe(1);
  });
});
