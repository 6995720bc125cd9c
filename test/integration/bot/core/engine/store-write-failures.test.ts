// The engine while its store takes reads but refuses writes (a full disk): a command's answer
// stands even when the engine cannot store the step it takes right after (status must answer),
// a command that must be stored fails without leaving anything behind, and the engine moves on
// once the store takes writes again.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Transactions } from '../../../../../bot/core/ports/repositories.ts';
import { StorageError } from '../../../../../storage/storage-error.ts';
import { ALICE, BOB, startEngineHarness } from '../../../../support/engine-harness.ts';
import type { EngineHarness } from '../../../../support/engine-harness.ts';
import { rejectionOf } from '../../../../support/rejection.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const dirs = tempDirs();
const harnesses: EngineHarness[] = [];

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.shutdown().catch(() => undefined);
  dirs.removeAll();
});

const full = (): StorageError => new StorageError('SQLITE_FULL: database or disk is full (in: COMMIT)', { cause: Object.assign(new Error('SQLITE_FULL'), { code: 'SQLITE_FULL' }) });

async function openWindow(h: EngineHarness): Promise<void> {
  expect(await h.engine.command(ALICE, 'open 1h')).toMatchObject({ ok: true });
  expect(await h.engine.action(BOB, 'approve', '1')).toEqual({ ok: true, text: 'You approved window #1.' });
}

describe('the engine on a store that refuses writes', () => {
  it('answers status although the step after it cannot be stored, and logs that it will try again', async () => {
    const store = { broken: false };
    const h = await startEngineHarness({
      path: join(dirs.make(), 'p.db'),
      wrapTransactions: (real): Transactions => ({ run: (work) => (store.broken ? Promise.reject(full()) : real.run(work)) }),
    });
    harnesses.push(h);
    await openWindow(h);
    await h.runUntil(async () => (await h.repositories.nodeProgress.list(1)).some((node) => node.state === 'draining'), 60_000);
    const progress = await h.repositories.nodeProgress.list(1);
    // The drain goes on while the store refuses writes: the step after any command would record it.
    h.clock.advance(5000);
    h.cluster.advanceTo(h.clock.now());
    store.broken = true;

    const status = await h.engine.command(BOB, 'status');

    expect(status.ok).toBe(true);
    expect(status.text).toContain('#1');
    expect(h.logs.filter((line) => line.startsWith('error the engine could not move on after a command; it tries again at its next tick'))).toHaveLength(1);
    expect(await h.repositories.nodeProgress.list(1)).toEqual(progress);
    // A command that must be stored fails, and stores nothing.
    expect(await rejectionOf(h.engine.command(ALICE, 'skip 2026-12-24 Christmas Eve'))).toBeInstanceOf(StorageError);
    expect(await h.repositories.skips.list()).toEqual([]);

    store.broken = false;
    await h.step(1000);
    expect(await h.repositories.nodeProgress.list(1)).not.toEqual(progress);
  });
});
