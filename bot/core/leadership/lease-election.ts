// Leader election on a coordination.k8s.io Lease, decided without I/O: given the Lease a
// candidate just read, what it does next. The rules are client-go's leaderelection: a holder's
// lease counts as expired only once leaseDuration has passed *on our own clock* since we last saw
// the record change. The record's renewTime is never compared with our clock, because the
// holder's clock may be off by any amount; only durations measured locally are trusted.

/** The Lease spec fields leader election reads and writes. */
export interface LeaseRecord {
  /** Undefined or empty: nobody holds the lease (never taken, or released). */
  readonly holderIdentity: string | undefined;
  readonly leaseDurationSeconds: number | undefined;
  readonly acquireTime: Date | undefined;
  readonly renewTime: Date | undefined;
  readonly leaseTransitions: number | undefined;
}

export interface ElectionTimings {
  /** How long a standby waits, from the last change it saw, before it takes the lease over. */
  readonly leaseDurationMs: number;
  /** How long a leader keeps acting without a successful renewal; after that it has lost. */
  readonly renewDeadlineMs: number;
  /** Time between attempts, for the leader (renewals) and standbys alike. */
  readonly retryPeriodMs: number;
}

/** client-go's defaults for controllers: a dead leader is replaced 15-17 s later, well within 30 s. */
export const DEFAULT_ELECTION_TIMINGS: ElectionTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** client-go's jitter factor: the renew deadline must leave room for a jittered retry. */
const JITTER_FACTOR = 1.2;

/**
 * Why these timings are unsafe, or undefined when they are fine. The leader must give up
 * (renew deadline) before a standby may take over (lease duration), or both would act at once.
 */
export function timingsProblem(timings: ElectionTimings): string | undefined {
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = timings;
  if (!(retryPeriodMs > 0)) return 'the retry period must be positive';
  if (leaseDurationMs % 1000 !== 0) return 'the lease duration must be whole seconds (the Lease stores seconds)';
  if (!(leaseDurationMs > renewDeadlineMs)) return 'the lease duration must be longer than the renew deadline';
  if (!(renewDeadlineMs > retryPeriodMs * JITTER_FACTOR)) return `the renew deadline must be longer than ${JITTER_FACTOR} × the retry period`;
  return undefined;
}

/** What a candidate remembers between attempts. */
export interface ElectionMemory {
  /** The record as last read or written; undefined before the first read. */
  readonly observed: LeaseRecord | undefined;
  /** Our clock when `observed` was first seen as it is: expiry counts from here. */
  readonly observedAtMs: number;
  readonly leading: boolean;
  /** Start of the last successful write while leading: the renew deadline counts from here. */
  readonly renewedAtMs: number | undefined;
}

export const INITIAL_MEMORY: ElectionMemory = { observed: undefined, observedAtMs: Number.NEGATIVE_INFINITY, leading: false, renewedAtMs: undefined };

export type LeaseDecision =
  /** No Lease exists: create it, held by us. */
  | { readonly kind: 'create'; readonly record: LeaseRecord }
  /** Free, released or expired (or already ours while we were not leading): write it with us as holder. */
  | { readonly kind: 'acquire'; readonly record: LeaseRecord }
  /** We lead and the Lease still names us: write a new renewTime. */
  | { readonly kind: 'renew'; readonly record: LeaseRecord }
  /** Someone else holds a lease that has not expired by our clock: try again later. */
  | { readonly kind: 'standBy'; readonly holder: string; readonly expiresAtMs: number }
  /** We were leading but the Lease is gone or names someone else: stop acting now. */
  | { readonly kind: 'lost'; readonly holder: string | undefined };

export interface DecisionInput {
  /** The Lease as just read; undefined when it does not exist. */
  readonly lease: LeaseRecord | undefined;
  readonly memory: ElectionMemory;
  readonly identity: string;
  readonly nowMs: number;
  readonly timings: ElectionTimings;
}

/** The next step, and the memory to keep (the observation updated, `leading` as before). */
export function decide(input: DecisionInput): { readonly decision: LeaseDecision; readonly memory: ElectionMemory } {
  const { lease, identity, nowMs, timings } = input;
  const memory = observe(input.memory, lease, nowMs);
  const now = new Date(nowMs);
  const leaseDurationSeconds = timings.leaseDurationMs / 1000;
  if (lease === undefined) {
    if (memory.leading) return { decision: { kind: 'lost', holder: undefined }, memory };
    const record: LeaseRecord = { holderIdentity: identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 };
    return { decision: { kind: 'create', record }, memory };
  }
  const holder = lease.holderIdentity ?? '';
  if (holder === identity) {
    // Ours: renewing keeps acquireTime and the transition count (also when we had lost track of it).
    const record: LeaseRecord = { ...lease, leaseDurationSeconds, acquireTime: lease.acquireTime ?? now, renewTime: now, leaseTransitions: lease.leaseTransitions ?? 0 };
    return { decision: { kind: memory.leading ? 'renew' : 'acquire', record }, memory };
  }
  // Not ours. A leader that finds another holder (or none) has been replaced: it must not act one
  // more step, even if the other's lease has not "expired" by our clock.
  if (memory.leading) return { decision: { kind: 'lost', holder: holder === '' ? undefined : holder }, memory };
  if (holder !== '') {
    const expiresAtMs = memory.observedAtMs + durationMsOf(lease, timings);
    if (nowMs < expiresAtMs) return { decision: { kind: 'standBy', holder, expiresAtMs }, memory };
  }
  const record: LeaseRecord = { holderIdentity: identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: (lease.leaseTransitions ?? 0) + 1 };
  return { decision: { kind: 'acquire', record }, memory };
}

/** After a successful create, acquire or renew that started at `startedAtMs`: we lead. */
export function afterWrite(written: LeaseRecord, startedAtMs: number, nowMs: number): ElectionMemory {
  // The deadline counts from the start of the write: the server may have stored it any time
  // after that, and a standby's expiry counts from when it saw it, so this errs on the safe side.
  return { observed: written, observedAtMs: nowMs, leading: true, renewedAtMs: startedAtMs };
}

/** A leader whose renewals have failed for longer than the renew deadline must stop acting. */
export function renewDeadlinePassed(memory: ElectionMemory, nowMs: number, timings: ElectionTimings): boolean {
  return memory.leading && memory.renewedAtMs !== undefined && nowMs - memory.renewedAtMs >= timings.renewDeadlineMs;
}

/** When a leader's renew deadline falls (our clock); undefined when not leading. */
export function renewDeadlineAt(memory: ElectionMemory, timings: ElectionTimings): number | undefined {
  return memory.leading && memory.renewedAtMs !== undefined ? memory.renewedAtMs + timings.renewDeadlineMs : undefined;
}

/**
 * What a leader writes when it steps down cleanly (client-go's ReleaseOnCancel): no holder and a
 * one-second duration, so a standby takes over at its next attempt instead of after the full
 * lease duration. The transition count stays; the next holder increments it.
 */
export function releasedRecord(held: LeaseRecord, nowMs: number): LeaseRecord {
  const now = new Date(nowMs);
  return { holderIdentity: undefined, leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: held.leaseTransitions ?? 0 };
}

export function sameRecord(a: LeaseRecord | undefined, b: LeaseRecord | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    (a.holderIdentity ?? '') === (b.holderIdentity ?? '') &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime?.getTime() === b.acquireTime?.getTime() &&
    a.renewTime?.getTime() === b.renewTime?.getTime() &&
    (a.leaseTransitions ?? 0) === (b.leaseTransitions ?? 0)
  );
}

function observe(memory: ElectionMemory, lease: LeaseRecord | undefined, nowMs: number): ElectionMemory {
  if (memory.observed !== undefined && sameRecord(memory.observed, lease)) return memory;
  return { ...memory, observed: lease, observedAtMs: nowMs };
}

/** The holder's own duration, as client-go uses it; ours when the record has none that makes sense. */
function durationMsOf(lease: LeaseRecord, timings: ElectionTimings): number {
  const seconds = lease.leaseDurationSeconds;
  return seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : timings.leaseDurationMs;
}
