// The simulated kured's lock as the stuck-lock check sees it: each holder with the instant it took
// its slot, and an operator's release of one holder (only the acquisition that was judged stuck).
import { describe, expect, it } from 'vitest';
import { KuredLock } from '../../../../../../bot/adapters/cluster/simulated/kured-lock.ts';
import { isBusy, SimulationHarness, START, windowSpec } from './simulation-harness.ts';

const MINUTE = 60_000;

describe('KuredLock holdings and releaseHolder', () => {
  it('stamps every slot with the instant it was taken, markers included', () => {
    let now = 1000;
    const lock = new KuredLock(2, () => now);
    lock.tryAcquire('a', false);
    now = 5000;
    lock.tryAcquire('a', false); // already held: keeps its first instant
    lock.hold('bot');
    expect(lock.holdings()).toEqual([
      { holder: 'a', since: 1000 },
      { holder: 'bot/1', since: 5000 },
    ]);
  });

  it('frees a holder only for the acquisition asked about, and says whether it did', () => {
    let now = 1000;
    const lock = new KuredLock(1, () => now);
    lock.tryAcquire('a', false);
    expect(lock.releaseHolder('a', 999)).toBe(false);
    expect(lock.releaseHolder('b')).toBe(false);
    expect(lock.holders()).toEqual(['a']);
    expect(lock.releaseHolder('a', 1000)).toBe(true);
    expect(lock.holders()).toEqual([]);
    now = 2000;
    lock.tryAcquire('a', false);
    expect(lock.releaseHolder('a')).toBe(true);
    expect(lock.releaseHolder('a')).toBe(false);
  });

  it('a pause in place takes the freed slot, as it does when a node finishes', () => {
    const lock = new KuredLock(1, () => 0);
    lock.tryAcquire('a', false);
    lock.hold('bot');
    expect(lock.releaseHolder('a')).toBe(true);
    expect(lock.holders()).toEqual(['bot/1']);
  });
});

describe('SimulatedCluster lock details', () => {
  it('reports when the rebooting node took the lock and releases that node on request', async () => {
    // Reboots that take an hour: the node holds the lock far longer than a lock TTL.
    const harness = new SimulationHarness({ timings: { shutdownMs: 3_600_000 } });
    const { cluster } = harness;
    expect((await cluster.readLock()).holdings).toEqual([]);
    await cluster.deployRebootDaemon(windowSpec({ end: new Date(START.getTime() + 3 * 3_600_000) }));
    await harness.runUntil(async () => (await cluster.readLock()).holders.length > 0, MINUTE, 1);
    const takenAt = harness.cluster.now;
    const holder = (await cluster.readLock()).holders[0] ?? '';
    harness.advanceBy(40 * MINUTE);
    const lock = await cluster.readLock();
    expect(lock.holdings).toEqual([{ holder, since: takenAt, ttlMs: undefined }]);
    expect((await harness.node(holder)).ready).toBe(false);

    expect(await cluster.releaseLockHolder(holder, new Date(takenAt.getTime() - 1))).toBe(false);
    expect(await cluster.releaseLockHolder(holder, takenAt)).toBe(true);
    expect(await cluster.releaseLockHolder(holder, takenAt)).toBe(false);
    // Freed: the next pending node takes the lock while the first is still down.
    await harness.runUntil(async () => (await cluster.readLock()).holders.some((name) => name !== holder), 45 * MINUTE);
    expect((await harness.node(holder)).ready).toBe(false);
    expect((await cluster.nodes()).filter(isBusy).length).toBe(2);
  });

  it('has nothing to release without a daemon', async () => {
    const harness = new SimulationHarness();
    expect(await harness.cluster.releaseLockHolder('sim-node-1')).toBe(false);
  });
});
