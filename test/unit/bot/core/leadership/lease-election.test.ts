// Leader election decisions: create, acquire, renew, stand by, lost; expiry measured on our own
// clock from when we saw the record change (never from the holder's renewTime), release, the
// renew deadline, timing validation; and a simulation of two candidates with skewed clocks,
// lost responses and a leader that dies, in which no two ever act at once.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  afterWrite,
  decide,
  DEFAULT_ELECTION_TIMINGS,
  INITIAL_MEMORY,
  releasedRecord,
  renewDeadlineAt,
  renewDeadlinePassed,
  timingsProblem,
} from '../../../../../bot/core/leadership/lease-election.ts';
import type { ElectionMemory, ElectionTimings, LeaseRecord } from '../../../../../bot/core/leadership/lease-election.ts';

const T0 = Date.parse('2026-05-04T10:00:00Z');
const timings = DEFAULT_ELECTION_TIMINGS;
const ME = 'bot-7c9f_a1b2c3d4';
const OTHER = 'bot-5d4e_99887766';

function heldBy(holder: string | undefined, renewMs: number, overrides: Partial<LeaseRecord> = {}): LeaseRecord {
  return {
    holderIdentity: holder,
    leaseDurationSeconds: 15,
    acquireTime: new Date(T0 - 60_000),
    renewTime: new Date(renewMs),
    leaseTransitions: 3,
    ...overrides,
  };
}

const step = (lease: LeaseRecord | undefined, memory: ElectionMemory, nowMs: number, identity = ME) =>
  decide({ lease, memory, identity, nowMs, timings });

describe('decide: no Lease yet', () => {
  it('creates it, held by us, with our duration and no transitions', () => {
    const { decision } = step(undefined, INITIAL_MEMORY, T0);
    expect(decision).toEqual({
      kind: 'create',
      record: { holderIdentity: ME, leaseDurationSeconds: 15, acquireTime: new Date(T0), renewTime: new Date(T0), leaseTransitions: 0 },
    });
  });
});

describe('decide: someone else holds it', () => {
  it('stands by for a full lease duration from the moment we first see it, even if the holder may be dead already', () => {
    const { decision } = step(heldBy(OTHER, T0 - 600_000), INITIAL_MEMORY, T0);
    expect(decision).toEqual({ kind: 'standBy', holder: OTHER, expiresAtMs: T0 + 15_000 });
  });

  it('takes over once the record has not changed for the lease duration by our clock', () => {
    const lease = heldBy(OTHER, T0);
    const first = step(lease, INITIAL_MEMORY, T0);
    const justBefore = step(lease, first.memory, T0 + 14_999);
    expect(justBefore.decision.kind).toBe('standBy');
    const expired = step(lease, justBefore.memory, T0 + 15_000);
    expect(expired.decision).toEqual({
      kind: 'acquire',
      record: { holderIdentity: ME, leaseDurationSeconds: 15, acquireTime: new Date(T0 + 15_000), renewTime: new Date(T0 + 15_000), leaseTransitions: 4 },
    });
  });

  it('restarts the wait whenever the record changes: a renewal seen late still counts from when we saw it', () => {
    const first = step(heldBy(OTHER, T0), INITIAL_MEMORY, T0);
    // The holder renewed at T0 + 2 s, but we only read it at T0 + 14 s.
    const renewed = step(heldBy(OTHER, T0 + 2000), first.memory, T0 + 14_000);
    expect(renewed.decision).toEqual({ kind: 'standBy', holder: OTHER, expiresAtMs: T0 + 29_000 });
    expect(step(heldBy(OTHER, T0 + 2000), renewed.memory, T0 + 28_999).decision.kind).toBe('standBy');
    expect(step(heldBy(OTHER, T0 + 2000), renewed.memory, T0 + 29_000).decision.kind).toBe('acquire');
  });

  it("ignores the holder's clock: a renewTime an hour in the future does not keep an unchanged lease alive", () => {
    const skewedAhead = heldBy(OTHER, T0 + 3_600_000);
    const first = step(skewedAhead, INITIAL_MEMORY, T0);
    expect(step(skewedAhead, first.memory, T0 + 15_000).decision.kind).toBe('acquire');
  });

  it("ignores the holder's clock: a renewTime an hour in the past does not expire a lease that keeps changing", () => {
    let memory = INITIAL_MEMORY;
    for (let second = 0; second <= 60; second += 2) {
      const lagging = heldBy(OTHER, T0 - 3_600_000 + second * 1000);
      const next = step(lagging, memory, T0 + second * 1000);
      expect(next.decision.kind).toBe('standBy');
      memory = next.memory;
    }
  });

  it("uses the holder's lease duration from the record, and ours when the record has none that makes sense", () => {
    expect(step(heldBy(OTHER, T0, { leaseDurationSeconds: 60 }), INITIAL_MEMORY, T0).decision).toEqual({ kind: 'standBy', holder: OTHER, expiresAtMs: T0 + 60_000 });
    expect(step(heldBy(OTHER, T0, { leaseDurationSeconds: 0 }), INITIAL_MEMORY, T0).decision).toEqual({ kind: 'standBy', holder: OTHER, expiresAtMs: T0 + 15_000 });
    expect(step(heldBy(OTHER, T0, { leaseDurationSeconds: undefined }), INITIAL_MEMORY, T0).decision).toEqual({ kind: 'standBy', holder: OTHER, expiresAtMs: T0 + 15_000 });
  });
});

describe('decide: nobody holds it', () => {
  it.each([
    ['released (empty holder)', ''],
    ['never taken (no holder)', undefined],
  ])('takes a %s lease at once, counting a transition', (_label, holder) => {
    const { decision } = step(heldBy(holder, T0), INITIAL_MEMORY, T0);
    expect(decision).toEqual({
      kind: 'acquire',
      record: { holderIdentity: ME, leaseDurationSeconds: 15, acquireTime: new Date(T0), renewTime: new Date(T0), leaseTransitions: 4 },
    });
  });
});

describe('decide: we hold it', () => {
  const leading = (atMs: number, record: LeaseRecord): ElectionMemory => afterWrite(record, atMs, atMs);

  it('renews while leading: a new renewTime, acquireTime and transitions kept', () => {
    const held = heldBy(ME, T0);
    const { decision } = step(held, leading(T0, held), T0 + 2000);
    expect(decision).toEqual({ kind: 'renew', record: { ...held, renewTime: new Date(T0 + 2000) } });
  });

  it('takes it back without a transition when the Lease names us but we did not know (a lost response)', () => {
    const held = heldBy(ME, T0);
    const { decision } = step(held, INITIAL_MEMORY, T0 + 2000);
    expect(decision).toEqual({ kind: 'acquire', record: { ...held, renewTime: new Date(T0 + 2000) } });
  });

  it('has lost as soon as the Lease names someone else, however recent its own renewal', () => {
    const held = heldBy(ME, T0);
    expect(step(heldBy(OTHER, T0 + 1000), leading(T0, held), T0 + 1000).decision).toEqual({ kind: 'lost', holder: OTHER });
  });

  it('has lost when the Lease was cleared or deleted under it', () => {
    const held = heldBy(ME, T0);
    expect(step(heldBy('', T0 + 1000), leading(T0, held), T0 + 1000).decision).toEqual({ kind: 'lost', holder: undefined });
    expect(step(undefined, leading(T0, held), T0 + 1000).decision).toEqual({ kind: 'lost', holder: undefined });
  });
});

describe('renew deadline', () => {
  it('passes renewDeadline after the start of the last successful write, only for a leader', () => {
    const memory = afterWrite(heldBy(ME, T0), T0, T0 + 300);
    expect(renewDeadlineAt(memory, timings)).toBe(T0 + 10_000);
    expect(renewDeadlinePassed(memory, T0 + 9_999, timings)).toBe(false);
    expect(renewDeadlinePassed(memory, T0 + 10_000, timings)).toBe(true);
    expect(renewDeadlinePassed(INITIAL_MEMORY, T0 + 10_000_000, timings)).toBe(false);
    expect(renewDeadlineAt(INITIAL_MEMORY, timings)).toBeUndefined();
  });
});

describe('release', () => {
  it('clears the holder with a one-second duration and keeps the transition count; a standby takes it at its next attempt', () => {
    const held = heldBy(ME, T0);
    const released = releasedRecord(held, T0 + 5000);
    expect(released).toEqual({ holderIdentity: undefined, leaseDurationSeconds: 1, acquireTime: new Date(T0 + 5000), renewTime: new Date(T0 + 5000), leaseTransitions: 3 });
    const standby = step(held, INITIAL_MEMORY, T0, OTHER);
    expect(standby.decision.kind).toBe('standBy');
    expect(step(released, standby.memory, T0 + 5100, OTHER).decision).toMatchObject({ kind: 'acquire', record: { holderIdentity: OTHER, leaseTransitions: 4 } });
  });
});

describe('timingsProblem', () => {
  it('accepts the defaults', () => {
    expect(timingsProblem(DEFAULT_ELECTION_TIMINGS)).toBeUndefined();
  });

  it.each<[string, ElectionTimings, RegExp]>([
    ['a renew deadline as long as the lease', { leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 }, /longer than the renew deadline/],
    ['a retry period too close to the renew deadline', { leaseDurationMs: 15_000, renewDeadlineMs: 2400, retryPeriodMs: 2000 }, /1.2 × the retry period/],
    ['a lease of fractional seconds', { leaseDurationMs: 15_500, renewDeadlineMs: 10_000, retryPeriodMs: 2000 }, /whole seconds/],
    ['no retry period', { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 0 }, /positive/],
  ])('refuses %s', (_label, bad, message) => {
    expect(timingsProblem(bad)).toMatch(message);
  });
});

/**
 * Two candidates sharing one Lease with optimistic concurrency, in 100 ms steps of real time.
 * Each has its own clock (offset and a rate within ±5 %), attempts every retry period, and
 * `acts` while it leads and its renew deadline has not passed by its own clock. Writes can fail
 * (not stored) or lose their response (stored, but the writer sees an error); the first leader
 * may die, and may be cut off from the API server for a while (every request fails). At no
 * step may both act.
 */
describe('two candidates never act at once', () => {
  interface Candidate {
    readonly identity: string;
    readonly offsetMs: number;
    readonly rate: number;
    memory: ElectionMemory;
    nextAttemptMs: number;
    dead: boolean;
  }
  const clockOf = (candidate: Candidate, realMs: number): number => T0 + candidate.offsetMs + Math.round(realMs * candidate.rate);
  const acts = (candidate: Candidate, realMs: number): boolean =>
    !candidate.dead && candidate.memory.leading && !renewDeadlinePassed(candidate.memory, clockOf(candidate, realMs), timings);

  it('holds under skewed clocks, failed writes, lost responses, a partitioned leader and a dying one', () => {
    const outcome = fc.constantFrom('ok', 'ok', 'ok', 'ok', 'failed', 'responseLost');
    fc.assert(
      fc.property(
        fc.array(fc.record({ offsetMs: fc.integer({ min: -3_600_000, max: 3_600_000 }), rate: fc.double({ min: 0.95, max: 1.05, noNaN: true }), startMs: fc.integer({ min: 0, max: 5000 }) }), {
          minLength: 2,
          maxLength: 2,
        }),
        fc.array(outcome, { minLength: 200, maxLength: 200 }),
        fc.option(fc.integer({ min: 0, max: 60_000 })),
        fc.option(fc.record({ fromMs: fc.integer({ min: 0, max: 40_000 }), forMs: fc.integer({ min: 0, max: 40_000 }) })),
        (specs, outcomes, deathMs, partition) => {
          const candidates: Candidate[] = specs.map((spec, index) => ({
            identity: `bot-${index}`,
            offsetMs: spec.offsetMs,
            rate: spec.rate,
            memory: INITIAL_MEMORY,
            nextAttemptMs: spec.startMs,
            dead: false,
          }));
          let stored: LeaseRecord | undefined;
          let outcomeIndex = 0;
          const leaders = new Set<string>();
          let killed = false;
          let cutOff: Candidate | undefined;
          for (let realMs = 0; realMs <= 90_000; realMs += 100) {
            for (const candidate of candidates) {
              if (!killed && deathMs !== null && realMs >= deathMs && candidate.memory.leading) {
                candidate.dead = true;
                killed = true;
              }
              if (candidate.dead || realMs < candidate.nextAttemptMs) continue;
              candidate.nextAttemptMs = realMs + timings.retryPeriodMs;
              const nowMs = clockOf(candidate, realMs);
              if (partition !== null && realMs >= partition.fromMs && realMs < partition.fromMs + partition.forMs) {
                cutOff ??= candidates.find((c) => c.memory.leading);
                if (cutOff === candidate) {
                  // Not even the read gets through; a leader past its renew deadline exits.
                  if (renewDeadlinePassed(candidate.memory, nowMs, timings)) candidate.dead = true;
                  continue;
                }
              }
              const { decision, memory } = decide({ lease: stored, memory: candidate.memory, identity: candidate.identity, nowMs, timings });
              candidate.memory = memory;
              if (decision.kind === 'lost') {
                candidate.dead = true; // the process exits
                continue;
              }
              if (decision.kind === 'standBy') continue;
              const result = outcomes[outcomeIndex++ % outcomes.length];
              if (result !== 'failed') stored = decision.record;
              if (result === 'ok') candidate.memory = afterWrite(decision.record, nowMs, nowMs);
            }
            const acting = candidates.filter((candidate) => acts(candidate, realMs));
            expect(acting.length, `at ${realMs} ms: ${acting.map((c) => c.identity).join(', ')}`).toBeLessThanOrEqual(1);
            for (const candidate of acting) leaders.add(candidate.identity);
          }
          // Somebody led at some point: the property is not vacuous.
          expect(leaders.size).toBeGreaterThan(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
