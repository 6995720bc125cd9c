// Per-node progress inside a window, derived only from what the cluster shows (cordon, drain,
// Ready, bootID, kured's lock). Pure: the previous progress plus one observation gives the next.
import type { NodeSnapshot } from '../ports/cluster-port.ts';

export const NODE_STATES = [
  'pending',
  'waiting',
  'cordoned',
  'draining',
  'drain-blocked',
  'rebooting',
  'back',
  'done',
  'stuck',
  'skipped',
] as const;
export type NodeState = (typeof NODE_STATES)[number];

export interface NodeProgress {
  readonly node: string;
  readonly state: NodeState;
  /** bootID when the window began with this node; a different one means it rebooted. */
  readonly bootIdBefore: string;
  readonly podsLeft: number | undefined;
  readonly blockedBy: string | undefined;
  /** When it was cordoned (its turn began). */
  readonly startedAt: Date | undefined;
  /** When it went NotReady or changed bootID. */
  readonly rebootAt: Date | undefined;
  readonly doneAt: Date | undefined;
}

export interface ProgressSettings {
  /** A node still not back this long after its reboot began is stuck. */
  readonly notBackAfterMs: number;
}

export interface LockView {
  readonly holders: readonly string[];
  readonly maxOwners: number;
}

export function initialProgress(snapshot: NodeSnapshot): NodeProgress {
  return {
    node: snapshot.name,
    state: 'pending',
    bootIdBefore: snapshot.bootId,
    podsLeft: undefined,
    blockedBy: undefined,
    startedAt: undefined,
    rebootAt: undefined,
    doneAt: undefined,
  };
}

/** The next progress of one node after observing it (and the lock) at `now`. */
export function observeNode(progress: NodeProgress, snapshot: NodeSnapshot, lock: LockView, now: Date, settings: ProgressSettings): NodeProgress {
  if (progress.state === 'done' || progress.state === 'skipped') return progress;
  const rebooted = snapshot.bootId !== progress.bootIdBefore;
  const inReboot = rebooted || !snapshot.ready;
  // A new boot id that also ended the node's need for a reboot means its turn came and went, even
  // when its cordon and drain were never seen (the bot was down, or could not store them): it must
  // not be left pending and skipped at the end.
  const started = progress.startedAt !== undefined || (rebooted && snapshot.pendingReboot === undefined);

  if (started && rebooted && snapshot.ready) {
    if (!snapshot.unschedulable) return { ...progress, state: 'done', podsLeft: 0, blockedBy: undefined, doneAt: progress.doneAt ?? now };
    return { ...progress, state: 'back', podsLeft: 0, blockedBy: undefined };
  }
  if (started && inReboot) {
    const rebootAt = progress.rebootAt ?? now;
    const stuck = now.getTime() - rebootAt.getTime() >= settings.notBackAfterMs;
    return { ...progress, state: stuck ? 'stuck' : 'rebooting', rebootAt, podsLeft: 0, blockedBy: undefined };
  }
  if (snapshot.unschedulable && (lock.holders.includes(snapshot.name) || snapshot.drain !== undefined || started)) {
    const startedAt = progress.startedAt ?? now;
    if (snapshot.drain === undefined) return { ...progress, state: 'cordoned', startedAt };
    const blockedBy = snapshot.drain.blockedBy;
    return {
      ...progress,
      state: blockedBy === undefined ? 'draining' : 'drain-blocked',
      startedAt,
      podsLeft: snapshot.drain.podsLeft,
      blockedBy,
    };
  }
  if (started) return progress;
  // Not started: waiting when every lock slot is taken by someone else, pending otherwise. A node
  // already waiting keeps waiting while the lock is momentarily free between two nodes (kured takes
  // it on its next check), so the message does not flip back to pending.
  const lockFull = lock.holders.length >= lock.maxOwners && !lock.holders.includes(snapshot.name);
  return { ...progress, state: lockFull || progress.state === 'waiting' ? 'waiting' : 'pending' };
}

/** At the window's end: nodes that never started are skipped; the others keep their state. */
export function closeProgress(progress: NodeProgress): NodeProgress {
  return progress.state === 'pending' || progress.state === 'waiting' ? { ...progress, state: 'skipped' } : progress;
}

export function isFinished(progress: NodeProgress): boolean {
  return progress.state === 'done' || progress.state === 'skipped';
}

/** Minutes from cordon to done, for history and the planner. */
export function durationMs(progress: NodeProgress): number | undefined {
  if (progress.startedAt === undefined || progress.doneAt === undefined) return undefined;
  return progress.doneAt.getTime() - progress.startedAt.getTime();
}
