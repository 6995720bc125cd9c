// The reboot invariant's counter (test/cluster/harness/reboot-invariant.ts) can fail: a reboot
// before the approved window opened, after it closed, or in a window nobody approved is reported.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../storage/open-store.ts';
import { approvedIntervals, checkInvariant } from '../../cluster/harness/reboot-invariant.ts';
import type { RebootSign } from '../../cluster/harness/reboot-invariant.ts';
import { tempDirs } from '../../support/temp-dirs.ts';

const dirs = tempDirs();
afterAll(() => {
  dirs.removeAll();
});

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

async function databaseWith(windows: { id: number; approvalRequired: boolean; audit: [number, string][] }[]): Promise<string> {
  const file = path.join(dirs.make('reboot-invariant-'), 'patchwindow.db');
  const store = await openStore(file, { now: () => new Date(T0) });
  try {
    for (const window of windows) {
      await store.database.run(
        `INSERT INTO windows (id, origin, state, start_at, end_at, zone, concurrency, requested_by, requested_at, approval_required)
         VALUES (?, 'on-demand', 'closed', ?, ?, 'UTC', 1, 'slack:U1', ?, ?)`,
        [window.id, at(0), at(600), at(0), window.approvalRequired ? 1 : 0],
      );
      for (const [seconds, action] of window.audit) {
        await store.database.run('INSERT INTO audit_log (at, actor, action, subject) VALUES (?, ?, ?, ?)', [at(seconds), 'system', action, `window:${window.id}`]);
      }
    }
  } finally {
    await store.close();
  }
  return file;
}

const sign = (node: string, kind: RebootSign['kind'], seconds: number): RebootSign => ({ node, kind, at: T0 + seconds * 1000 });

describe('the reboot invariant', () => {
  it('counts reboots inside an approved window from its opening to its closing as inside, and the rest as outside', async () => {
    const file = await databaseWith([
      { id: 1, approvalRequired: true, audit: [[0, 'window.requested'], [5, 'window.approved'], [10, 'window.opening'], [11, 'window.opened'], [100, 'window.closing'], [101, 'window.closed']] },
      // requested and opened but never approved: no interval
      { id: 2, approvalRequired: true, audit: [[200, 'window.requested'], [210, 'window.opening'], [300, 'window.closed']] },
    ]);
    const intervals = await approvedIntervals(file);
    expect(intervals).toEqual([{ db: file, windowId: 1, from: T0 + 10_000, to: T0 + 101_000 }]);

    const inside = [sign('a', 'not-ready', 20), sign('a', 'boot-id', 22)];
    expect(checkInvariant(inside, intervals)).toMatchObject({ reboots: 1, notReady: 1, outside: [], line: 'invariant: 1 reboots, 0 outside approved windows (1 NotReady intervals)' });

    const before = sign('b', 'not-ready', 9);
    const after = sign('b', 'boot-id', 102);
    const unapproved = sign('c', 'boot-id', 250);
    const result = checkInvariant([...inside, before, after, unapproved], intervals);
    expect(result.outside).toEqual([before, after, unapproved]);
    expect(result.line).toBe('invariant: 3 reboots, 3 outside approved windows (2 NotReady intervals)');
  });

  it('a window that needs no approval counts from its opening; one still open has no end yet', async () => {
    const file = await databaseWith([{ id: 1, approvalRequired: false, audit: [[0, 'window.requested'], [1, 'window.opening']] }]);
    const intervals = await approvedIntervals(file);
    expect(intervals).toEqual([{ db: file, windowId: 1, from: T0 + 1000, to: Infinity }]);
    expect(checkInvariant([sign('a', 'boot-id', 5000)], intervals).outside).toEqual([]);
    expect(checkInvariant([sign('a', 'boot-id', 0)], intervals).outside).toHaveLength(1);
  });
});
