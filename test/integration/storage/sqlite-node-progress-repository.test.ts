// SqliteNodeProgressRepository on a real migrated database: every field round-trips, save
// replaces a node's row instead of adding one, lists are per window and by node name, and
// recentDurations gives exact cordon-to-done milliseconds, newest first.
import { afterEach, describe, expect, it } from 'vitest';
import type { NewWindow } from '../../../bot/core/ports/window-repository.ts';
import { NODE_STATES } from '../../../bot/core/windows/node-progress.ts';
import type { NodeProgress, NodeState } from '../../../bot/core/windows/node-progress.ts';
import type { OpenedStore } from '../../../storage/open-store.ts';
import type { SqlExecutor } from '../../../storage/sqlite-database.ts';
import { SqliteNodeProgressRepository } from '../../../storage/sqlite-node-progress-repository.ts';
import { SqliteTransactions } from '../../../storage/sqlite-repositories.ts';
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

const NEW_WINDOW: NewWindow = {
  origin: { kind: 'on-demand' },
  state: 'open',
  start: new Date('2026-12-01T13:00:00.000Z'),
  end: new Date('2026-12-01T16:00:00.000Z'),
  zone: 'UTC',
  concurrency: 2,
  nodeSelector: undefined,
  reason: '',
  requestedBy: 'console:alice',
  requestedAt: new Date('2026-11-25T12:00:00.000Z'),
  approvalRequired: false,
  approvalExpiresAt: undefined,
  decidedBy: undefined,
  decidedAt: undefined,
  paused: false,
  openedAt: new Date('2026-12-01T13:00:00.000Z'),
  closedAt: undefined,
  closeReason: undefined,
  note: undefined,
};

/** A fresh store with `windowCount` windows (ids 1..windowCount) for progress to belong to. */
async function freshRepository(windowCount = 1): Promise<{ store: OpenedStore; progress: SqliteNodeProgressRepository }> {
  const store = await openTempStore(dirs, databases, new Date('2026-11-25T00:00:00.000Z'));
  const windows = new SqliteWindowRepository(store.database);
  for (let index = 0; index < windowCount; index += 1) await windows.create(NEW_WINDOW);
  return { store, progress: new SqliteNodeProgressRepository(store.database) };
}

async function nodeRows(database: SqlExecutor): Promise<number> {
  const row = await database.get('SELECT COUNT(*) AS n FROM window_nodes');
  return Number(row?.['n']);
}

/** A node that has not started, every optional field undefined. */
function pending(node: string, overrides: Partial<NodeProgress> = {}): NodeProgress {
  return {
    node,
    state: 'pending',
    bootIdBefore: `boot-${node}`,
    podsLeft: undefined,
    blockedBy: undefined,
    startedAt: undefined,
    rebootAt: undefined,
    doneAt: undefined,
    ...overrides,
  };
}

/** A finished node: cordoned at `startedAt`, done `durationMs` later. */
function done(node: string, startedAt: string, durationMs: number): NodeProgress {
  const started = new Date(startedAt);
  return pending(node, {
    state: 'done',
    podsLeft: 0,
    startedAt: started,
    rebootAt: new Date(started.getTime() + 1),
    doneAt: new Date(started.getTime() + durationMs),
  });
}

describe('SqliteNodeProgressRepository.save and list', () => {
  it('round-trips a node with every optional field undefined, stored as NULL', async () => {
    const { store, progress } = await freshRepository();

    await progress.save(1, pending('worker-1'));

    expect(await progress.list(1)).toEqual([pending('worker-1')]);
    const [listed] = await progress.list(1);
    expect(listed?.podsLeft).toBeUndefined();
    expect(listed?.blockedBy).toBeUndefined();
    expect(listed?.startedAt).toBeUndefined();
    expect(listed?.rebootAt).toBeUndefined();
    expect(listed?.doneAt).toBeUndefined();
    expect(await store.database.get('SELECT * FROM window_nodes')).toEqual({
      window_id: 1,
      node: 'worker-1',
      state: 'pending',
      boot_id_before: 'boot-worker-1',
      pods_left: null,
      blocked_by: null,
      started_at: null,
      reboot_at: null,
      done_at: null,
    });
  });

  it('round-trips a node with every field set, instants as ISO 8601 UTC to the millisecond', async () => {
    const { store, progress } = await freshRepository();
    const blocked = pending('worker-2', {
      state: 'drain-blocked',
      bootIdBefore: '7f3c1e2a-0b9d-4c55-9a51-2d6a1f0e8b47',
      podsLeft: 3,
      blockedBy: 'PodDisruptionBudget payments/api (0 disruptions allowed)',
      startedAt: new Date('2026-12-01T13:00:05.123+01:00'),
      rebootAt: new Date('2026-12-01T13:10:00.001Z'),
      doneAt: new Date('2026-12-01T13:20:59.999Z'),
    });

    await progress.save(1, blocked);

    expect(await progress.list(1)).toEqual([blocked]);
    expect(await store.database.get('SELECT * FROM window_nodes')).toEqual({
      window_id: 1,
      node: 'worker-2',
      state: 'drain-blocked',
      boot_id_before: '7f3c1e2a-0b9d-4c55-9a51-2d6a1f0e8b47',
      pods_left: 3,
      blocked_by: 'PodDisruptionBudget payments/api (0 disruptions allowed)',
      started_at: '2026-12-01T12:00:05.123Z',
      reboot_at: '2026-12-01T13:10:00.001Z',
      done_at: '2026-12-01T13:20:59.999Z',
    });
  });

  it('round-trips zero pods left as 0, not as undefined', async () => {
    const { progress } = await freshRepository();

    await progress.save(1, pending('worker-1', { state: 'rebooting', podsLeft: 0 }));

    expect((await progress.list(1))[0]?.podsLeft).toBe(0);
  });

  it('round-trips every node state', async () => {
    const { progress } = await freshRepository();

    for (const [index, state] of NODE_STATES.entries()) await progress.save(1, pending(`node-${index}`, { state }));

    expect((await progress.list(1)).map((listed) => listed.state)).toEqual([...NODE_STATES]);
  });

  it('replaces every field of a node saved again, back to NULL included, without adding a row', async () => {
    const { store, progress } = await freshRepository();
    await progress.save(1, pending('worker-1', { state: 'draining', podsLeft: 5, blockedBy: 'pdb', startedAt: new Date('2026-12-01T13:00:00.000Z') }));

    const next = done('worker-1', '2026-12-01T13:00:00.000Z', 600_000);
    await progress.save(1, { ...next, bootIdBefore: 'boot-replaced' });
    expect(await progress.list(1)).toEqual([{ ...next, bootIdBefore: 'boot-replaced' }]);

    await progress.save(1, pending('worker-1', { state: 'skipped' }));
    expect(await progress.list(1)).toEqual([pending('worker-1', { state: 'skipped' })]);
    expect(await nodeRows(store.database)).toBe(1);
  });

  it('keeps windows apart: the same node name in two windows is two rows', async () => {
    const { store, progress } = await freshRepository(2);

    await progress.save(1, pending('worker-1'));
    await progress.save(2, pending('worker-1', { state: 'waiting' }));
    await progress.save(2, pending('worker-2'));

    expect(await progress.list(1)).toEqual([pending('worker-1')]);
    expect(await progress.list(2)).toEqual([pending('worker-1', { state: 'waiting' }), pending('worker-2')]);
    expect(await nodeRows(store.database)).toBe(3);
  });

  it('lists a window’s nodes by name, not by insertion order', async () => {
    const { progress } = await freshRepository();
    for (const node of ['worker-b', 'control-1', 'worker-a', 'Worker-c', 'worker-10', 'worker-2']) await progress.save(1, pending(node));

    // Binary collation: upper case before lower case, digits compared as text.
    expect((await progress.list(1)).map((listed) => listed.node)).toEqual(['Worker-c', 'control-1', 'worker-10', 'worker-2', 'worker-a', 'worker-b']);
  });

  it('lists nothing for a window without progress or one that does not exist', async () => {
    const { progress } = await freshRepository();

    expect(await progress.list(1)).toEqual([]);
    expect(await progress.list(99)).toEqual([]);
  });

  it('refuses progress for a window that does not exist', async () => {
    const { store, progress } = await freshRepository();

    const error = expectStorageError(await rejectionOf(progress.save(99, pending('worker-1'))), /FOREIGN KEY constraint failed/);

    expect(error.code).toBe('SQLITE_CONSTRAINT');
    expect(await nodeRows(store.database)).toBe(0);
  });

  it('refuses an unknown state, which the table would take but list could not read back', async () => {
    const { store, progress } = await freshRepository();

    expectStorageError(
      await rejectionOf(progress.save(1, pending('worker-1', { state: 'exploded' as unknown as NodeState }))),
      'node worker-1 in window 1 has an unknown state exploded',
    );

    expect(await nodeRows(store.database)).toBe(0);
  });

  it('refuses an invalid date before writing', async () => {
    const { store, progress } = await freshRepository();

    expectStorageError(
      await rejectionOf(progress.save(1, pending('worker-1', { startedAt: new Date(Number.NaN) }))),
      'the cordon time of node worker-1 in window 1 is an invalid date',
    );

    expect(await nodeRows(store.database)).toBe(0);
  });

  it.each([
    ["state = 'exploded'", 'node worker-1 in window 1 has an unknown state exploded'],
    ["started_at = 'soon'", "node worker-1 in window 1 has an invalid started_at 'soon'"],
    ['pods_left = 2.5', 'node worker-1 in window 1 has an invalid pods_left 2.5'],
    ["pods_left = 'many'", "node worker-1 in window 1 has an invalid pods_left 'many'"],
  ])('reports a hand-edited row with %s as a storage error', async (assignment, message) => {
    const { store, progress } = await freshRepository();
    await progress.save(1, pending('worker-1'));
    await store.database.run(`UPDATE window_nodes SET ${assignment}`);

    expectStorageError(await rejectionOf(progress.list(1)), message);
  });
});

describe('SqliteNodeProgressRepository.recentDurations', () => {
  it('gives exact cordon-to-done milliseconds, newest done first, across windows', async () => {
    const { progress } = await freshRepository(3);
    await progress.save(1, done('a', '2026-12-01T13:00:00.000Z', 754_321)); // done 13:12:34.321
    await progress.save(2, done('b', '2026-12-08T23:59:59.999Z', 1)); // done 2026-12-09T00:00:00.000
    await progress.save(3, done('c', '2026-12-05T10:00:00.500Z', 86_400_000 + 12_345)); // done 2026-12-06T10:00:12.845
    await progress.save(1, done('d', '2026-12-01T13:05:00.000Z', 3_600_000)); // done 14:05:00.000

    expect(await progress.recentDurations(10)).toEqual([1, 86_412_345, 3_600_000, 754_321]);
    expect(await progress.recentDurations(2)).toEqual([1, 86_412_345]);
    expect(await progress.recentDurations(0)).toEqual([]);
  });

  it('orders by the done instant, not by when progress was saved', async () => {
    const { progress } = await freshRepository();
    await progress.save(1, done('late', '2026-12-01T14:00:00.000Z', 60_000));
    await progress.save(1, done('early', '2026-12-01T13:00:00.000Z', 120_000));
    await progress.save(1, done('middle', '2026-12-01T13:30:00.000Z', 180_000));

    expect(await progress.recentDurations(10)).toEqual([60_000, 180_000, 120_000]);
  });

  it('leaves out nodes that have not finished, were never cordoned, or are only rebooting', async () => {
    const { progress } = await freshRepository();
    await progress.save(1, done('finished', '2026-12-01T13:00:00.000Z', 42_000));
    await progress.save(1, pending('never-started'));
    await progress.save(1, pending('rebooting', { state: 'rebooting', startedAt: new Date('2026-12-01T13:00:00.000Z'), rebootAt: new Date('2026-12-01T13:01:00.000Z') }));
    // Done without a cordon time cannot give a duration.
    await progress.save(1, pending('no-start', { state: 'done', doneAt: new Date('2026-12-01T15:00:00.000Z') }));

    expect(await progress.recentDurations(10)).toEqual([42_000]);
  });

  it('reflects a node saved again: its duration is the latest one', async () => {
    const { progress } = await freshRepository();
    await progress.save(1, done('worker-1', '2026-12-01T13:00:00.000Z', 1000));

    await progress.save(1, done('worker-1', '2026-12-01T13:00:00.000Z', 2500));

    expect(await progress.recentDurations(10)).toEqual([2500]);
  });

  it('breaks ties on the done instant the same way every time', async () => {
    const { progress } = await freshRepository(2);
    await progress.save(1, done('b', '2026-12-01T13:00:00.000Z', 3000));
    await progress.save(2, done('z', '2026-12-01T13:00:01.000Z', 2000));
    await progress.save(1, done('a', '2026-12-01T13:00:02.000Z', 1000));

    // All done at 13:00:03; the newer window first, then by node name.
    expect(await progress.recentDurations(10)).toEqual([2000, 1000, 3000]);
    expect(await progress.recentDurations(2)).toEqual([2000, 1000]);
  });

  it('gives nothing when no node has finished, and refuses a NaN limit', async () => {
    const { progress } = await freshRepository();
    await progress.save(1, pending('worker-1'));

    expect(await progress.recentDurations(50)).toEqual([]);
    expectStorageError(await rejectionOf(progress.recentDurations(Number.NaN)), 'the number of durations to list is NaN');
  });

  it('reports a hand-edited done time that is not a date as a storage error', async () => {
    const { store, progress } = await freshRepository();
    await progress.save(1, done('worker-1', '2026-12-01T13:00:00.000Z', 1000));
    await store.database.run("UPDATE window_nodes SET done_at = 'yesterday'");

    expectStorageError(await rejectionOf(progress.recentDurations(10)), "node worker-1 in window 1 has an invalid done_at 'yesterday'");
  });
});

describe('SqliteTransactions with node progress', () => {
  it('rolls back progress saved in a transaction that throws, and keeps what was there', async () => {
    const { store, progress } = await freshRepository();
    await progress.save(1, pending('worker-1'));
    const transactions = new SqliteTransactions(store.database);

    await expect(
      transactions.run(async ({ nodeProgress }) => {
        await nodeProgress.save(1, done('worker-1', '2026-12-01T13:00:00.000Z', 1000));
        await nodeProgress.save(1, pending('worker-2'));
        expect(await nodeProgress.list(1)).toHaveLength(2);
        throw new Error('chat down');
      }),
    ).rejects.toThrow('chat down');

    expect(await progress.list(1)).toEqual([pending('worker-1')]);
    expect(await progress.recentDurations(10)).toEqual([]);
  });
});
