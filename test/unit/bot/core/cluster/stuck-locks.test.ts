// Which lock holders are stuck: gone from the cluster, or holding longer than the lock's TTL (the
// configured one when the lock has none); patchwindow's own pause holds never are.
import { describe, expect, it } from 'vitest';
import { findStuckLocks, isHoldMarkerOf, stuckHolding } from '../../../../../bot/core/cluster/stuck-locks.ts';
import type { StuckLockInput } from '../../../../../bot/core/cluster/stuck-locks.ts';
import type { LockHolding, RebootLock } from '../../../../../bot/core/ports/cluster-port.ts';

const NOW = new Date('2026-03-07T22:00:00Z');
const MINUTE = 60_000;
const NODES = new Set(['node-1', 'node-2', 'node-3']);

function ago(minutes: number): Date {
  return new Date(NOW.getTime() - minutes * MINUTE);
}

function lockOf(...holdings: LockHolding[]): RebootLock {
  return { holders: holdings.map((holding) => holding.holder), maxOwners: Math.max(1, holdings.length), holdings };
}

function input(lock: RebootLock, overrides: Partial<StuckLockInput> = {}): StuckLockInput {
  return { lock, nodeNames: NODES, now: NOW, fallbackTtlMs: 30 * MINUTE, ownHoldOwners: ['patchwindow-pause'], ...overrides };
}

describe('findStuckLocks', () => {
  it('a free lock and a node within its TTL are not stuck', () => {
    expect(findStuckLocks(input(lockOf()))).toEqual([]);
    expect(findStuckLocks(input(lockOf({ holder: 'node-3', since: ago(29), ttlMs: 30 * MINUTE })))).toEqual([]);
  });

  it('a node holding the lock as long as its TTL or longer is stuck (kured judges expiry the same way)', () => {
    expect(findStuckLocks(input(lockOf({ holder: 'node-3', since: ago(30), ttlMs: 30 * MINUTE })))).toEqual([
      { holder: 'node-3', since: ago(30), heldMs: 30 * MINUTE, reason: 'expired', ttlMs: 30 * MINUTE },
    ]);
    expect(findStuckLocks(input(lockOf({ holder: 'node-3', since: ago(47), ttlMs: 30 * MINUTE })))[0]).toMatchObject({ reason: 'expired', heldMs: 47 * MINUTE });
  });

  it("judges by the lock's own TTL, and by the configured one when the lock has none", () => {
    const ownTtl = lockOf({ holder: 'node-1', since: ago(20), ttlMs: 15 * MINUTE });
    expect(findStuckLocks(input(ownTtl))[0]).toMatchObject({ reason: 'expired', ttlMs: 15 * MINUTE });
    const noTtl = lockOf({ holder: 'node-1', since: ago(20), ttlMs: undefined });
    expect(findStuckLocks(input(noTtl))).toEqual([]);
    expect(findStuckLocks(input(noTtl, { fallbackTtlMs: 10 * MINUTE }))[0]).toMatchObject({ reason: 'expired', ttlMs: 10 * MINUTE });
  });

  it('a holder that is no node of the cluster is stuck at once, with or without a time', () => {
    expect(findStuckLocks(input(lockOf({ holder: 'node-9', since: ago(2), ttlMs: 30 * MINUTE })))).toEqual([
      { holder: 'node-9', since: ago(2), heldMs: 2 * MINUTE, reason: 'holder-gone', ttlMs: 30 * MINUTE },
    ]);
    expect(findStuckLocks(input(lockOf({ holder: 'manual', since: undefined, ttlMs: undefined })))).toEqual([
      { holder: 'manual', since: undefined, heldMs: undefined, reason: 'holder-gone', ttlMs: 30 * MINUTE },
    ]);
  });

  it('gone wins over expired: it says nothing will ever release the lock', () => {
    expect(findStuckLocks(input(lockOf({ holder: 'node-9', since: ago(120), ttlMs: 30 * MINUTE })))[0]?.reason).toBe('holder-gone');
  });

  it('without a node list yet (informer not synced) no holder counts as gone', () => {
    expect(findStuckLocks(input(lockOf({ holder: 'node-9', since: ago(2), ttlMs: 30 * MINUTE }), { nodeNames: new Set() }))).toEqual([]);
  });

  it('a lock without a time can only be judged by its holder', () => {
    expect(findStuckLocks(input(lockOf({ holder: 'node-1', since: undefined, ttlMs: MINUTE })))).toEqual([]);
  });

  it("a time in the future (clock skew) is held for 0, not negative", () => {
    expect(findStuckLocks(input(lockOf({ holder: 'node-9', since: ago(-5), ttlMs: undefined })))[0]?.heldMs).toBe(0);
  });

  it("never reports patchwindow's own pause holds, however old; another owner's are judged like anything else", () => {
    const lock = lockOf(
      { holder: 'patchwindow-pause/1', since: ago(600), ttlMs: undefined },
      { holder: 'patchwindow-pause/2', since: ago(600), ttlMs: undefined },
      { holder: 'node-2', since: ago(45), ttlMs: 30 * MINUTE },
      { holder: 'someone/1', since: ago(1), ttlMs: undefined },
    );
    expect(findStuckLocks(input(lock)).map((stuck) => [stuck.holder, stuck.reason])).toEqual([
      ['node-2', 'expired'],
      ['someone/1', 'holder-gone'],
    ]);
  });
});

describe('stuckHolding', () => {
  const lock = lockOf({ holder: 'node-3', since: ago(47), ttlMs: 30 * MINUTE }, { holder: 'node-1', since: ago(5), ttlMs: 30 * MINUTE });

  it('finds the holder, and only the acquisition asked about when a time is given', () => {
    expect(stuckHolding(input(lock), 'node-3')?.heldMs).toBe(47 * MINUTE);
    expect(stuckHolding(input(lock), 'node-3', ago(47))?.holder).toBe('node-3');
    expect(stuckHolding(input(lock), 'node-3', ago(46))).toBeUndefined();
  });

  it('is undefined for a holder that is not stuck or holds nothing', () => {
    expect(stuckHolding(input(lock), 'node-1')).toBeUndefined();
    expect(stuckHolding(input(lock), 'node-2')).toBeUndefined();
  });
});

describe('isHoldMarkerOf', () => {
  it('is `<owner>/<number>` only', () => {
    expect(isHoldMarkerOf('patchwindow-pause/1', 'patchwindow-pause')).toBe(true);
    expect(isHoldMarkerOf('patchwindow-pause/12', 'patchwindow-pause')).toBe(true);
    expect(isHoldMarkerOf('patchwindow-pause', 'patchwindow-pause')).toBe(false);
    expect(isHoldMarkerOf('patchwindow-pause/x', 'patchwindow-pause')).toBe(false);
    expect(isHoldMarkerOf('patchwindow-pause/', 'patchwindow-pause')).toBe(false);
    expect(isHoldMarkerOf('other/1', 'patchwindow-pause')).toBe(false);
  });
});
