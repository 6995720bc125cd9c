// kured's reboot lock, the `weave.works/kured-node-lock` annotation on its DaemonSet, in both
// forms kured 1.23 writes: single (`{"nodeID":…,"metadata":{"unschedulable":…},"created":…,"TTL":…}`,
// concurrency 1; absent when free) and multi (`{"maxOwners":N,"locks":[…]}`, concurrency > 1).
// Pausing holds the free slots: in the single form the annotation names a hold marker (kured's
// documented manual lock); the multi form ignores such a value, so there every free slot gets a
// dummy holder. Markers are `<owner>/1`, `<owner>/2`, … as in the simulated cluster.

import type { LockHolding } from '../../../core/ports/cluster-port.ts';

export const KURED_LOCK_ANNOTATION = 'weave.works/kured-node-lock';

export interface LockEntry {
  readonly nodeID: string;
  readonly metadata?: { readonly unschedulable?: boolean };
  readonly created?: string;
  readonly TTL?: number;
}

export type KuredLockValue =
  | { readonly form: 'single'; readonly entry: LockEntry | undefined }
  | { readonly form: 'multi'; readonly maxOwners: number; readonly locks: readonly LockEntry[] };

export class LockAnnotationError extends Error {}

/** undefined or '' is a free lock of the form `concurrency` implies (kured uses the multi form above 1). */
export function parseLockAnnotation(value: string | undefined, concurrency: number): KuredLockValue {
  if (value === undefined || value.trim() === '') {
    return concurrency > 1 ? { form: 'multi', maxOwners: concurrency, locks: [] } : { form: 'single', entry: undefined };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new LockAnnotationError(`${KURED_LOCK_ANNOTATION} is not JSON: ${value.slice(0, 200)}`);
  }
  if (!isRecord(parsed)) throw new LockAnnotationError(`${KURED_LOCK_ANNOTATION} is not a JSON object: ${value.slice(0, 200)}`);
  if ('locks' in parsed || 'maxOwners' in parsed) {
    const maxOwners = parsed['maxOwners'];
    const locks = parsed['locks'] ?? [];
    if (typeof maxOwners !== 'number' || !Number.isInteger(maxOwners) || maxOwners < 1 || !Array.isArray(locks)) {
      throw new LockAnnotationError(`${KURED_LOCK_ANNOTATION} has a bad multi-lock form: ${value.slice(0, 200)}`);
    }
    return { form: 'multi', maxOwners, locks: locks.map((lock: unknown) => entryOf(lock, value)) };
  }
  return { form: 'single', entry: entryOf(parsed, value) };
}

export function lockHolders(lock: KuredLockValue): string[] {
  if (lock.form === 'single') return lock.entry === undefined ? [] : [lock.entry.nodeID];
  return lock.locks.map((entry) => entry.nodeID);
}

/**
 * Each holder with when it took the lock and the lock's time to live. kured writes `created` as a
 * Go time (RFC 3339, nanoseconds) and `TTL` as a Go duration (nanoseconds, 0 = never expires).
 */
export function lockHoldings(lock: KuredLockValue): LockHolding[] {
  return entriesOf(lock).map((entry) => ({ holder: entry.nodeID, since: createdOf(entry), ttlMs: ttlMsOf(entry) }));
}

/**
 * Removes `holder`'s entry when it holds the lock (since `since`, when given: a later acquisition by
 * the same node is not the one that was judged stuck); unchanged (the same object) otherwise. In
 * the single form that frees the lock, i.e. removes the annotation.
 */
export function releaseHolder(lock: KuredLockValue, holder: string, since?: Date): KuredLockValue {
  const matches = (entry: LockEntry): boolean => entry.nodeID === holder && (since === undefined || createdOf(entry)?.getTime() === since.getTime());
  if (lock.form === 'single') return lock.entry !== undefined && matches(lock.entry) ? { form: 'single', entry: undefined } : lock;
  const locks = lock.locks.filter((entry) => !matches(entry));
  return locks.length === lock.locks.length ? lock : { form: 'multi', maxOwners: lock.maxOwners, locks };
}

export function lockMaxOwners(lock: KuredLockValue): number {
  return lock.form === 'single' ? 1 : lock.maxOwners;
}

/** The annotation value for `lock`; undefined means "remove the annotation" (a free single lock). */
export function formatLockAnnotation(lock: KuredLockValue): string | undefined {
  if (lock.form === 'single') return lock.entry === undefined ? undefined : JSON.stringify(lock.entry);
  return JSON.stringify({ maxOwners: lock.maxOwners, locks: lock.locks });
}

/** Fills every free slot with `owner`'s markers; unchanged (the same object) when nothing is free. */
export function holdLock(lock: KuredLockValue, owner: string, now: Date): KuredLockValue {
  if (owner === '') throw new RangeError('the reboot lock cannot be held by an empty owner');
  const marker = (nodeID: string): LockEntry => ({ nodeID, metadata: { unschedulable: false }, created: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), TTL: 0 });
  if (lock.form === 'single') return lock.entry === undefined ? { form: 'single', entry: marker(`${owner}/1`) } : lock;
  if (lock.locks.length >= lock.maxOwners) return lock;
  const locks = [...lock.locks];
  let number = 1;
  while (locks.length < lock.maxOwners) {
    while (locks.some((entry) => entry.nodeID === `${owner}/${number}`)) number++;
    locks.push(marker(`${owner}/${number}`));
  }
  return { form: 'multi', maxOwners: lock.maxOwners, locks };
}

/** Removes `owner`'s markers; unchanged (the same object) when it holds nothing. */
export function releaseLock(lock: KuredLockValue, owner: string): KuredLockValue {
  if (lock.form === 'single') return lock.entry !== undefined && isMarkerOf(lock.entry.nodeID, owner) ? { form: 'single', entry: undefined } : lock;
  const locks = lock.locks.filter((entry) => !isMarkerOf(entry.nodeID, owner));
  return locks.length === lock.locks.length ? lock : { form: 'multi', maxOwners: lock.maxOwners, locks };
}

function entriesOf(lock: KuredLockValue): readonly LockEntry[] {
  if (lock.form === 'single') return lock.entry === undefined ? [] : [lock.entry];
  return lock.locks;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** undefined when absent, not RFC 3339, or Go's zero time (a lock written without a time). */
function createdOf(entry: LockEntry): Date | undefined {
  const created: unknown = entry.created;
  if (typeof created !== 'string' || !RFC3339.test(created) || created.startsWith('0001-01-01')) return undefined;
  const at = new Date(created);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

function ttlMsOf(entry: LockEntry): number | undefined {
  const ttl: unknown = entry.TTL;
  return typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0 ? ttl / 1e6 : undefined;
}

function isMarkerOf(nodeID: string, owner: string): boolean {
  return nodeID.startsWith(`${owner}/`) && /^\d+$/.test(nodeID.slice(owner.length + 1));
}

function entryOf(value: unknown, whole: string): LockEntry {
  if (!isRecord(value) || typeof value['nodeID'] !== 'string' || value['nodeID'] === '') {
    throw new LockAnnotationError(`${KURED_LOCK_ANNOTATION} has a lock without a nodeID: ${whole.slice(0, 200)}`);
  }
  // Kept as read (extra fields included) so writing the lock back changes nothing else.
  return value as unknown as LockEntry;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
