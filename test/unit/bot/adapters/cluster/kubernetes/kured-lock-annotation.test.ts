// kured's lock annotation in both forms, and pause holds on each.
import { describe, expect, it } from 'vitest';
import {
  formatLockAnnotation,
  holdLock,
  LockAnnotationError,
  lockHolders,
  lockHoldings,
  lockMaxOwners,
  parseLockAnnotation,
  releaseHolder,
  releaseLock,
} from '../../../../../../bot/adapters/cluster/kubernetes/kured-lock-annotation.ts';

const NOW = new Date('2026-03-07T21:05:00.123Z');
const SINGLE = '{"nodeID":"node-2","metadata":{"unschedulable":false},"created":"2026-03-07T21:01:00Z","TTL":1800000000000}';
const MULTI =
  '{"maxOwners":3,"locks":[{"nodeID":"node-1","metadata":{"unschedulable":false},"created":"2026-03-07T21:01:00Z","TTL":0}]}';

describe('parseLockAnnotation', () => {
  it('reads the single form', () => {
    const lock = parseLockAnnotation(SINGLE, 1);
    expect(lock.form).toBe('single');
    expect(lockHolders(lock)).toEqual(['node-2']);
    expect(lockMaxOwners(lock)).toBe(1);
  });

  it('reads the multi form', () => {
    const lock = parseLockAnnotation(MULTI, 3);
    expect(lock).toMatchObject({ form: 'multi', maxOwners: 3 });
    expect(lockHolders(lock)).toEqual(['node-1']);
    expect(lockMaxOwners(lock)).toBe(3);
    expect(lockHolders(parseLockAnnotation('{"maxOwners":2,"locks":null}', 2))).toEqual([]);
  });

  it('a missing annotation is a free lock of the form the concurrency implies', () => {
    expect(parseLockAnnotation(undefined, 1)).toEqual({ form: 'single', entry: undefined });
    expect(parseLockAnnotation('', 4)).toEqual({ form: 'multi', maxOwners: 4, locks: [] });
  });

  it('refuses what kured never writes', () => {
    for (const value of ['nope', '[]', '{}', '{"nodeID":""}', '{"maxOwners":0,"locks":[]}', '{"maxOwners":2,"locks":[{"x":1}]}']) {
      expect(() => parseLockAnnotation(value, 1), value).toThrow(LockAnnotationError);
    }
  });

  it('writes the lock back as read', () => {
    expect(formatLockAnnotation(parseLockAnnotation(SINGLE, 1))).toBe(SINGLE);
    expect(formatLockAnnotation(parseLockAnnotation(MULTI, 3))).toBe(MULTI);
    expect(formatLockAnnotation(parseLockAnnotation(undefined, 1))).toBeUndefined();
  });
});

describe('holdLock / releaseLock', () => {
  it('single form: a free lock gets a hold marker, as kured documents for a manual lock', () => {
    const held = holdLock(parseLockAnnotation(undefined, 1), 'patchwindow-pause', NOW);
    expect(formatLockAnnotation(held)).toBe('{"nodeID":"patchwindow-pause/1","metadata":{"unschedulable":false},"created":"2026-03-07T21:05:00Z","TTL":0}');
    expect(releaseLock(held, 'patchwindow-pause')).toEqual({ form: 'single', entry: undefined });
  });

  it('single form: a lock a node holds is left alone (by hold and by another owner\'s release)', () => {
    const lock = parseLockAnnotation(SINGLE, 1);
    expect(holdLock(lock, 'patchwindow-pause', NOW)).toBe(lock);
    expect(releaseLock(lock, 'patchwindow-pause')).toBe(lock);
    expect(releaseLock(holdLock(parseLockAnnotation(undefined, 1), 'a', NOW), 'b')).toMatchObject({ entry: { nodeID: 'a/1' } });
  });

  it('multi form: every free slot gets a dummy holder; release gives back only those', () => {
    const lock = parseLockAnnotation(MULTI, 3);
    const held = holdLock(lock, 'patchwindow-pause', NOW);
    expect(lockHolders(held)).toEqual(['node-1', 'patchwindow-pause/1', 'patchwindow-pause/2']);
    expect(holdLock(held, 'patchwindow-pause', NOW)).toBe(held);
    const released = releaseLock(held, 'patchwindow-pause');
    expect(formatLockAnnotation(released)).toBe(MULTI);
    expect(releaseLock(lock, 'patchwindow-pause')).toBe(lock);
  });

  it('multi form: holding again after a node left takes only the freed slot, numbered from the lowest free', () => {
    const held = holdLock(parseLockAnnotation(MULTI, 3), 'p', NOW);
    const nodeLeft = { form: 'multi' as const, maxOwners: 3, locks: held.form === 'multi' ? held.locks.filter((entry) => entry.nodeID !== 'node-1') : [] };
    expect(lockHolders(holdLock(nodeLeft, 'p', NOW))).toEqual(['p/1', 'p/2', 'p/3']);
  });

  it('refuses an empty owner', () => {
    expect(() => holdLock(parseLockAnnotation(undefined, 1), '', NOW)).toThrow(RangeError);
  });
});

describe('lockHoldings / releaseHolder', () => {
  const TWO =
    '{"maxOwners":3,"locks":[{"nodeID":"node-1","created":"2026-03-07T21:01:00.123456789Z","TTL":1800000000000},{"nodeID":"node-2","created":"2026-03-07T22:10:00+01:00","TTL":0}]}';

  it('reads when each holder took the lock and its TTL (a Go duration in nanoseconds; 0 is none)', () => {
    expect(lockHoldings(parseLockAnnotation(SINGLE, 1))).toEqual([{ holder: 'node-2', since: new Date('2026-03-07T21:01:00Z'), ttlMs: 1_800_000 }]);
    expect(lockHoldings(parseLockAnnotation(TWO, 3))).toEqual([
      { holder: 'node-1', since: new Date('2026-03-07T21:01:00.123Z'), ttlMs: 1_800_000 },
      { holder: 'node-2', since: new Date('2026-03-07T21:10:00Z'), ttlMs: undefined },
    ]);
    expect(lockHoldings(parseLockAnnotation(undefined, 3))).toEqual([]);
  });

  it('a lock without a usable time (hand-written, Go zero time, not RFC 3339) has no since', () => {
    for (const created of [undefined, '0001-01-01T00:00:00Z', 'yesterday', '2026-03-07', 42]) {
      const value = JSON.stringify({ nodeID: 'manual', created, TTL: -5 });
      expect(lockHoldings(parseLockAnnotation(value, 1)), String(created)).toEqual([{ holder: 'manual', since: undefined, ttlMs: undefined }]);
    }
  });

  it('single form: releasing the holder frees the lock (the annotation goes)', () => {
    const lock = parseLockAnnotation(SINGLE, 1);
    const released = releaseHolder(lock, 'node-2', new Date('2026-03-07T21:01:00Z'));
    expect(released).toEqual({ form: 'single', entry: undefined });
    expect(formatLockAnnotation(released)).toBeUndefined();
    expect(releaseHolder(lock, 'node-2')).toEqual({ form: 'single', entry: undefined });
  });

  it('leaves the lock alone (the same object) for another holder or a later acquisition', () => {
    const lock = parseLockAnnotation(SINGLE, 1);
    expect(releaseHolder(lock, 'node-1')).toBe(lock);
    expect(releaseHolder(lock, 'node-2', new Date('2026-03-07T21:02:00Z'))).toBe(lock);
    expect(releaseHolder(parseLockAnnotation(undefined, 1), 'node-2')).toEqual({ form: 'single', entry: undefined });
  });

  it('multi form: removes only that holder, keeping the others exactly as written', () => {
    const lock = parseLockAnnotation(TWO, 3);
    const released = releaseHolder(lock, 'node-1', new Date('2026-03-07T21:01:00.123Z'));
    expect(formatLockAnnotation(released)).toBe('{"maxOwners":3,"locks":[{"nodeID":"node-2","created":"2026-03-07T22:10:00+01:00","TTL":0}]}');
    expect(releaseHolder(lock, 'node-3')).toBe(lock);
    expect(releaseHolder(lock, 'node-1', new Date('2026-03-07T21:01:00Z'))).toBe(lock);
  });
});
