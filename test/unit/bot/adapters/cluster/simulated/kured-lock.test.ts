import { describe, expect, it } from 'vitest';
import { KuredLock } from '../../../../../../bot/adapters/cluster/simulated/kured-lock.ts';

describe('KuredLock', () => {
  it('gives at most maxOwners slots and remembers whether each node was cordoned before', () => {
    const lock = new KuredLock(2);
    expect(lock.tryAcquire('a', false)).toBe(true);
    expect(lock.tryAcquire('b', true)).toBe(true);
    expect(lock.tryAcquire('c', false)).toBe(false);
    expect(lock.tryAcquire('a', false)).toBe(true);
    expect(lock.holders()).toEqual(['a', 'b']);
    expect(lock.wasUnschedulable('b')).toBe(true);
    expect(lock.wasUnschedulable('c')).toBeUndefined();
    lock.release('a');
    expect(lock.holds('a')).toBe(false);
    expect(lock.tryAcquire('c', false)).toBe(true);
  });

  it('holds every free slot with numbered markers, idempotently', () => {
    const lock = new KuredLock(3);
    lock.tryAcquire('a', false);
    lock.hold('bot');
    lock.hold('bot');
    expect(lock.holders()).toEqual(['a', 'bot/1', 'bot/2']);
    expect(lock.tryAcquire('b', false)).toBe(false);
  });

  it('keeps a pause in place by taking the slot a finishing node gives back', () => {
    const lock = new KuredLock(1);
    lock.tryAcquire('a', false);
    lock.hold('bot');
    expect(lock.holders()).toEqual(['a']);
    lock.release('a');
    expect(lock.holders()).toEqual(['bot/1']);
    expect(lock.tryAcquire('b', false)).toBe(false);
  });

  it('gives the slots back on releaseHold, and to the next owner still holding', () => {
    const lock = new KuredLock(2);
    lock.hold('first');
    lock.hold('second');
    expect(lock.holders()).toEqual(['first/1', 'first/2']);
    lock.releaseHold('first');
    expect(lock.holders()).toEqual(['second/1', 'second/2']);
    lock.releaseHold('second');
    lock.releaseHold('second');
    expect(lock.holders()).toEqual([]);
    expect(lock.tryAcquire('a', false)).toBe(true);
  });
});
