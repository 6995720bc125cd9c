// The elector loop on an in-memory Lease with the API server's optimistic concurrency and time
// stepped by hand: one leader among candidates, failover after the lease duration when the
// leader dies, at once when it releases, a leader that gives up at its renew deadline (failing
// or hanging requests) or as soon as another holds the Lease, and a standby that writes nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { LeaseConflict } from '../../../../../bot/adapters/leadership/lease-store.ts';
import { LeaseElector } from '../../../../../bot/adapters/leadership/lease-elector.ts';
import type { ElectorStatus } from '../../../../../bot/adapters/leadership/lease-elector.ts';
import { DEFAULT_ELECTION_TIMINGS } from '../../../../../bot/core/leadership/lease-election.ts';
import type { ElectionTimings } from '../../../../../bot/core/leadership/lease-election.ts';
import { ManualTimers } from '../../../../support/manual-timers.ts';
import { MemoryLeaseStore } from '../../../../support/memory-lease-store.ts';

const T0 = Date.parse('2026-05-04T10:00:00Z');

interface Candidate {
  readonly elector: LeaseElector;
  readonly statuses: ElectorStatus[];
  readonly lost: string[];
  readonly failures: unknown[];
  leading: () => boolean;
}

function setup() {
  const timers = new ManualTimers(T0);
  const store = new MemoryLeaseStore();
  const candidates: Candidate[] = [];
  const candidate = (identity: string, timings: ElectionTimings = DEFAULT_ELECTION_TIMINGS): Candidate => {
    const statuses: ElectorStatus[] = [];
    const lost: string[] = [];
    const failures: unknown[] = [];
    const elector = new LeaseElector({
      store,
      identity,
      timings,
      now: timers.now,
      sleep: timers.sleep,
      onStatus: (status) => statuses.push(status),
      onLost: (reason) => lost.push(reason),
      onAttemptFailed: (error) => failures.push(error),
    });
    const made = { elector, statuses, lost, failures, leading: () => elector.status().leading };
    candidates.push(made);
    return made;
  };
  return { timers, store, candidate, candidates };
}

let running: ReturnType<typeof setup> | undefined;
const start = (): ReturnType<typeof setup> => (running = setup());

afterEach(async () => {
  for (const { elector } of running?.candidates ?? []) await elector.stop();
  running = undefined;
});

describe('LeaseElector: one leader', () => {
  it('creates the Lease and leads at once when there is none, then renews every retry period', async () => {
    const { timers, store, candidate } = start();
    const a = candidate('bot-a');
    a.elector.start();
    await a.elector.whenLeading();
    expect(a.statuses).toEqual([{ leading: true, holder: 'bot-a' }]);
    expect(store.current()?.record).toMatchObject({ holderIdentity: 'bot-a', leaseDurationSeconds: 15, leaseTransitions: 0, renewTime: new Date(T0) });
    await timers.advance(6000);
    expect(store.calls).toEqual(['read', 'create bot-a', 'read', 'replace bot-a@1', 'read', 'replace bot-a@2', 'read', 'replace bot-a@3']);
    expect(store.current()?.record.renewTime).toEqual(new Date(T0 + 6000));
    expect(a.lost).toEqual([]);
  });

  it('lets exactly one of two candidates lead; the other stands by naming the leader and writes nothing', async () => {
    const { timers, store, candidate } = start();
    const a = candidate('bot-a');
    const b = candidate('bot-b');
    a.elector.start();
    b.elector.start();
    await timers.advance(60_000);
    expect([a.leading(), b.leading()].filter(Boolean)).toHaveLength(1);
    const [leader, standby] = a.leading() ? [a, b] : [b, a];
    expect(standby.elector.status()).toEqual({ leading: false, holder: leader.elector.identity });
    expect(store.calls.filter((call) => call.includes(standby.elector.identity))).toEqual(
      // At most the lost race for the initial create, reported as a conflict, not an error.
      standby.failures.length === 0 ? [] : [`create ${standby.elector.identity}`],
    );
    for (const failure of standby.failures) expect(failure).toBeInstanceOf(LeaseConflict);
  });
});

describe('LeaseElector: failover', () => {
  async function leaderAndStandby() {
    const context = start();
    const a = context.candidate('bot-a');
    a.elector.start();
    await a.elector.whenLeading();
    const b = context.candidate('bot-b');
    b.elector.start();
    await context.timers.advance(4000);
    expect(b.elector.status()).toEqual({ leading: false, holder: 'bot-a' });
    return { ...context, a, b };
  }

  it('takes over a dead leader once the Lease has not changed for the lease duration (15-17 s after its last renewal)', async () => {
    const { timers, store, a, b } = await leaderAndStandby();
    const lastRenewal = store.current()?.record.renewTime?.getTime() ?? Number.NaN;
    await a.elector.stop(); // the leader dies: no more renewals, nothing released
    const tookMs = await timers.advanceUntil(() => b.leading(), 30_000);
    const failoverMs = timers.now() - lastRenewal;
    expect(failoverMs).toBeGreaterThanOrEqual(15_000);
    expect(failoverMs).toBeLessThanOrEqual(17_000);
    expect(tookMs).toBeLessThan(30_000);
    expect(store.current()?.record).toMatchObject({ holderIdentity: 'bot-b', leaseTransitions: 1 });
    expect(b.statuses.at(-1)).toEqual({ leading: true, holder: 'bot-b' });
  });

  it('takes over at its next attempt when the leader releases the Lease on shutdown', async () => {
    const { timers, store, a, b } = await leaderAndStandby();
    await expect(a.elector.release()).resolves.toBe(true);
    expect(store.current()?.record).toMatchObject({ holderIdentity: undefined, leaseDurationSeconds: 1, leaseTransitions: 0 });
    const tookMs = await timers.advanceUntil(() => b.leading(), 30_000);
    expect(tookMs).toBeLessThanOrEqual(DEFAULT_ELECTION_TIMINGS.retryPeriodMs);
    expect(store.current()?.record).toMatchObject({ holderIdentity: 'bot-b', leaseTransitions: 1 });
    expect(a.statuses.at(-1)).toEqual({ leading: false, holder: undefined });
  });

  it('releases nothing when it is not leading', async () => {
    const { store, b } = await leaderAndStandby();
    const calls = store.calls.length;
    await expect(b.elector.release()).resolves.toBe(false);
    expect(store.calls.length).toBe(calls);
    expect(store.current()?.record.holderIdentity).toBe('bot-a');
  });
});

describe('LeaseElector: a leader gives up', () => {
  async function leader() {
    const context = start();
    const a = context.candidate('bot-a');
    a.elector.start();
    await a.elector.whenLeading();
    return { ...context, a };
  }

  it('at the renew deadline when every renewal fails, and tries nothing more', async () => {
    const { timers, store, a } = await leader();
    await timers.advance(2000); // one more good renewal, at T0 + 2 s
    for (let i = 0; i < 20; i += 1) store.script.push({ fail: new Error('connection refused') });
    const tookMs = await timers.advanceUntil(() => a.lost.length > 0, 30_000);
    expect(timers.now()).toBe(T0 + 2000 + 10_000);
    expect(tookMs).toBe(10_000);
    expect(a.lost).toEqual(['the Lease could not be renewed for 10 s (renew deadline)']);
    expect(a.failures.length).toBeGreaterThanOrEqual(4);
    expect(a.statuses.at(-1)).toEqual({ leading: false, holder: undefined });
    const calls = store.calls.length;
    await timers.advance(60_000);
    expect(store.calls.length).toBe(calls);
    expect(a.lost).toHaveLength(1);
  });

  it('at the renew deadline when a renewal never answers', async () => {
    const { timers, store, a } = await leader();
    store.script.push('hang');
    await timers.advanceUntil(() => a.lost.length > 0, 30_000, 10);
    expect(timers.now()).toBe(T0 + 10_000);
    expect(a.lost).toEqual(['the Lease could not be renewed for 10 s (renew deadline)']);
    store.releaseHung();
  });

  it('as soon as the Lease names someone else, long before its renew deadline', async () => {
    const { timers, store, a } = await leader();
    const held = store.current()?.record;
    if (held === undefined) throw new Error('no Lease');
    store.put({ ...held, holderIdentity: 'intruder', renewTime: new Date(T0 + 500) });
    await timers.advance(2000);
    expect(a.lost).toEqual(['the Lease is now held by intruder']);
    expect(a.statuses.at(-1)).toEqual({ leading: false, holder: 'intruder' });
    await expect(a.elector.release()).resolves.toBe(false);
    expect(store.current()?.record.holderIdentity).toBe('intruder');
  });
});

describe('LeaseElector: a standby', () => {
  it('is not stalled by a read that never answers: it tries again after a renew deadline', async () => {
    const { timers, store, candidate } = start();
    const held = store.put({ holderIdentity: 'bot-a', leaseDurationSeconds: 15, acquireTime: new Date(T0), renewTime: new Date(T0), leaseTransitions: 0 });
    store.script.push('hang');
    const b = candidate('bot-b');
    b.elector.start();
    await timers.advance(10_000);
    expect(b.failures).toHaveLength(1);
    expect(String(b.failures[0])).toMatch(/no answer about Lease test\/patchwindow-bot within 10000 ms/);
    await timers.advance(2000);
    expect(b.elector.status()).toEqual({ leading: false, holder: 'bot-a' });
    expect(store.current()).toBe(held);
    store.releaseHung();
  });

  it('leads without a new transition when its write was stored but the answer was lost', async () => {
    const { timers, store, candidate } = start();
    store.put({ holderIdentity: '', leaseDurationSeconds: 1, acquireTime: new Date(T0), renewTime: new Date(T0), leaseTransitions: 4 });
    store.script.push('ok', 'lostResponse'); // the read answers, the write is stored but its answer lost
    const b = candidate('bot-b');
    b.elector.start();
    await timers.advance(0);
    expect(b.leading()).toBe(false);
    expect(store.current()?.record.holderIdentity).toBe('bot-b');
    await timers.advance(2000);
    expect(b.leading()).toBe(true);
    expect(store.current()?.record.leaseTransitions).toBe(5);
  });

  it('stops without writing anything, and whoever waits for its leadership hears so', async () => {
    const { timers, store, candidate } = start();
    store.put({ holderIdentity: 'bot-a', leaseDurationSeconds: 15, acquireTime: new Date(T0), renewTime: new Date(T0), leaseTransitions: 0 });
    const b = candidate('bot-b');
    b.elector.start();
    const waiting = b.elector.whenLeading();
    await timers.advance(4000);
    await b.elector.stop();
    await expect(waiting).rejects.toThrow('leader election stopped');
    expect(store.calls.filter((call) => call !== 'read')).toEqual([]);
    await timers.advance(60_000);
    expect(timers.sleeping).toBe(0);
  });
});

describe('LeaseElector: timings', () => {
  it('refuses timings under which a standby could take over before the leader gives up', () => {
    const { candidate } = start();
    expect(() => candidate('bot-a', { leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 })).toThrow(
      'leader election timings: the lease duration must be longer than the renew deadline',
    );
  });
});
