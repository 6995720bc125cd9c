// Which of kured's lock holders look stuck: a holder that is no node of the cluster (deleted, or a
// hand-written lock) keeps its slot forever, and a node that has held the lock longer than its TTL
// is not coming back on its own. Either blocks every further reboot of the window. patchwindow's
// own pause holds are never stuck.
import type { LockHolding, RebootLock } from '../ports/cluster-port.ts';

export type StuckReason = 'holder-gone' | 'expired';

export interface StuckLock {
  readonly holder: string;
  /** When the holder took the lock; undefined when the lock does not say. */
  readonly since: Date | undefined;
  /** How long it has held the lock; undefined without `since`. */
  readonly heldMs: number | undefined;
  readonly reason: StuckReason;
  /** The TTL it is judged by: the lock's own, else the configured one. */
  readonly ttlMs: number;
}

export interface StuckLockInput {
  readonly lock: RebootLock;
  /** Names of the cluster's nodes; empty when not known yet (then no holder counts as gone). */
  readonly nodeNames: ReadonlySet<string>;
  readonly now: Date;
  /** For locks that carry no TTL (kured deployed without --lock-ttl, hand-written locks). */
  readonly fallbackTtlMs: number;
  /** Owners of patchwindow's own hold markers (`<owner>/<n>`), which are ignored. */
  readonly ownHoldOwners: readonly string[];
}

export function findStuckLocks(input: StuckLockInput): StuckLock[] {
  return input.lock.holdings
    .filter((holding) => !input.ownHoldOwners.some((owner) => isHoldMarkerOf(holding.holder, owner)))
    .map((holding) => judge(holding, input))
    .filter((stuck): stuck is StuckLock => stuck !== undefined);
}

/** The one holding judged stuck for `holder` (and, when given, its acquisition at `since`). */
export function stuckHolding(input: StuckLockInput, holder: string, since?: Date): StuckLock | undefined {
  return findStuckLocks(input).find((stuck) => stuck.holder === holder && (since === undefined || stuck.since?.getTime() === since.getTime()));
}

/** `<owner>/<n>`: a marker holdRebootLock(owner) put into a free slot. */
export function isHoldMarkerOf(holder: string, owner: string): boolean {
  return holder.startsWith(`${owner}/`) && /^\d+$/.test(holder.slice(owner.length + 1));
}

function judge(holding: LockHolding, input: StuckLockInput): StuckLock | undefined {
  const heldMs = holding.since === undefined ? undefined : Math.max(0, input.now.getTime() - holding.since.getTime());
  const ttlMs = holding.ttlMs ?? input.fallbackTtlMs;
  const base = { holder: holding.holder, since: holding.since, heldMs, ttlMs };
  // Gone first: it says what to do (nothing will ever release it), where "expired" only says how long.
  if (input.nodeNames.size > 0 && !input.nodeNames.has(holding.holder)) return { ...base, reason: 'holder-gone' };
  // As kured judges its TTL: expired once the age reaches it.
  if (heldMs !== undefined && heldMs >= ttlMs) return { ...base, reason: 'expired' };
  return undefined;
}
