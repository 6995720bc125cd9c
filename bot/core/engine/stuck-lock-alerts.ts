// Stuck kured locks while a window is open: one alert per stuck acquisition (holder + since), with
// a Release button, and the release itself (button or `release-lock <node>`), approvers only.
// Alerts are remembered in the audit log, written in the same transaction as the alert's outbox
// entry, so a restarted bot neither loses nor repeats one.
import { formatHeld, formatTtl, freedLockMessage, releasedLockMessage, releaseNote, stuckLockMessage } from '../cluster/stuck-lock-message.ts';
import type { StuckLockAlert } from '../cluster/stuck-lock-message.ts';
import { findStuckLocks, isHoldMarkerOf, stuckHolding } from '../cluster/stuck-locks.ts';
import type { StuckLock, StuckLockInput, StuckReason } from '../cluster/stuck-locks.ts';
import type { Reply } from '../commands/command-context.ts';
import type { AuditEntry } from '../ports/audit-log.ts';
import type { Actor } from '../ports/chat-port.ts';
import type { RebootLock } from '../ports/cluster-port.ts';
import { mayReleaseLock } from '../windows/approval-policy.ts';
import type { MaintenanceWindow } from '../windows/maintenance-window.ts';
import { PAUSE_LOCK_OWNER } from './advance-windows.ts';
import type { EngineContext } from './engine-context.ts';
import { liveMessageKey, textMessage } from './engine-context.ts';
import { DEFAULT_KURED_LOCK_TTL_MS } from './engine-settings.ts';

const SYSTEM = 'system';
export const LOCK_STUCK = 'lock.stuck';
export const LOCK_RELEASED = 'lock.released';
export const LOCK_RELEASE_REFUSED = 'lock.release-refused';

/** Posts an alert for every holder of `lock` that has become stuck since the last look. Never throws: progress tracking goes on. */
export async function reportStuckLocks(context: EngineContext, window: MaintenanceWindow, lock: RebootLock): Promise<void> {
  try {
    for (const stuck of findStuckLocks(stuckInput(context, lock))) {
      if ((await findAlert(context, stuck.holder, stuck.since, window.id)) !== undefined) continue;
      await postAlert(context, { stuck, windowId: window.id, zone: window.zone });
    }
  } catch (error: unknown) {
    context.log.error("checking kured's lock for a stuck holder failed; trying again on the next tick", { window: window.id, err: error });
  }
}

export interface ReleaseTarget {
  readonly holder: string;
  /** The acquisition a button was offered for; undefined from the text command (whatever is stuck now). */
  readonly since: Date | undefined;
}

/** Checks, then frees the holder's slot, then records it: the alert loses its button, its thread says what is left to do. */
export async function releaseStuckLock(context: EngineContext, actor: Actor, target: ReleaseTarget, surface: 'button' | 'command'): Promise<Reply> {
  const { holder } = target;
  const refuse = async (reason: string, text: string): Promise<Reply> => {
    await context.repositories.audit.record({
      at: context.clock.now(),
      actor: actor.id,
      action: LOCK_RELEASE_REFUSED,
      subject: `node:${holder}`,
      details: { reason, surface, since: target.since?.toISOString() ?? null },
    });
    return { ok: false, text };
  };
  const allowed = mayReleaseLock(actor.id, context.settings.approvals, context.approverGroups?.());
  if (!allowed.allowed) return refuse(allowed.reason, `refused: ${allowed.reason}`);
  if (isHoldMarkerOf(holder, PAUSE_LOCK_OWNER)) return refuse('pause hold', `${holder} is patchwindow's own pause hold; "resume" gives it back`);

  const lock = await context.cluster.readLock();
  const stuck = stuckHolding(stuckInput(context, lock), holder, target.since);
  if (stuck === undefined) {
    const held = lock.holdings.find((holding) => holding.holder === holder && (target.since === undefined || holding.since?.getTime() === target.since.getTime()));
    if (held === undefined) {
      await markFreed(context, holder, target.since);
      return refuse('not held', `kured's lock is not held by ${holder} any more${target.since === undefined ? '' : ' (not since that alert)'}: it was already released, nothing to do.`);
    }
    const ttl = formatTtl(held.ttlMs ?? fallbackTtlMs(context));
    const how =
      held.since === undefined
        ? `holds kured's lock without saying since when, and is a node of the cluster`
        : `has held kured's lock for ${formatHeld(context.clock.now().getTime() - held.since.getTime())}, within its TTL of ${ttl}, and is a node of the cluster`;
    return refuse('not stuck', `${holder} ${how}: it is not stuck, so patchwindow does not release it.`);
  }
  if (!(await context.cluster.releaseLockHolder(holder, stuck.since))) {
    await markFreed(context, holder, stuck.since);
    return refuse('not held', `kured's lock is not held by ${holder} any more: it was already released, nothing to do.`);
  }
  await recordRelease(context, actor, stuck, surface);
  return { ok: true, text: `You released kured's lock held by ${holder}.` };
}

/** Released on the cluster first, then recorded: the audit entry says what happened, not what was meant to. */
async function recordRelease(context: EngineContext, actor: Actor, stuck: StuckLock, surface: 'button' | 'command'): Promise<void> {
  const now = context.clock.now();
  const alert = await findAlert(context, stuck.holder, stuck.since);
  const threadKey = alert?.key ?? (await liveWindowThread(context));
  // Read before the transaction: outside reads wait for it to finish.
  const zone = alert === undefined ? undefined : await zoneOf(context, alert.windowId);
  await context.transactions.run(async (repositories) => {
    await repositories.audit.record({
      at: now,
      actor: actor.id,
      action: LOCK_RELEASED,
      subject: `node:${stuck.holder}`,
      details: { window: alert?.windowId ?? null, since: stuck.since?.toISOString() ?? null, reason: stuck.reason, heldMs: stuck.heldMs ?? null, ttlMs: stuck.ttlMs, surface },
    });
    if (alert !== undefined && zone !== undefined) {
      const message = releasedLockMessage({ stuck: alert.stuck, windowId: alert.windowId, zone }, actor.displayName, now);
      await repositories.outbox.enqueue({ kind: 'update', key: alert.key, message }, now);
    }
    if (threadKey !== undefined) await repositories.outbox.enqueue({ kind: 'reply', threadKey, message: textMessage(releaseNote(stuck, actor.displayName)) }, now);
  });
  context.outboxChanged();
  context.log.warn("kured's lock released by hand", { holder: stuck.holder, actor: actor.id, reason: stuck.reason });
}

/** A click on an alert whose lock is free already: the alert loses its button. */
async function markFreed(context: EngineContext, holder: string, since: Date | undefined): Promise<void> {
  if (since === undefined) return;
  const alert = await findAlert(context, holder, since);
  if (alert === undefined) return;
  const now = context.clock.now();
  const message = freedLockMessage({ stuck: alert.stuck, windowId: alert.windowId, zone: await zoneOf(context, alert.windowId) }, now);
  await context.repositories.outbox.enqueue({ kind: 'update', key: alert.key, message }, now);
  context.outboxChanged();
}

async function postAlert(context: EngineContext, alert: StuckLockAlert): Promise<void> {
  const now = context.clock.now();
  const { stuck } = alert;
  const key = alertKey(alert.windowId, stuck);
  await context.transactions.run(async (repositories) => {
    await repositories.outbox.enqueue({ kind: 'post', key, message: stuckLockMessage(alert) }, now);
    await repositories.audit.record({
      at: now,
      actor: SYSTEM,
      action: LOCK_STUCK,
      subject: `node:${stuck.holder}`,
      details: { window: alert.windowId, since: stuck.since?.toISOString() ?? null, reason: stuck.reason, heldMs: stuck.heldMs ?? null, ttlMs: stuck.ttlMs, key },
    });
  });
  context.outboxChanged();
  context.log.warn("kured's lock looks stuck; asked the channel to release it", { window: alert.windowId, holder: stuck.holder, reason: stuck.reason });
}

interface PostedAlert {
  readonly key: string;
  readonly windowId: number;
  /** As judged when the alert was posted. */
  readonly stuck: StuckLock;
}

/** The newest alert posted for this acquisition (holder + since; in that window, when given), if any. */
async function findAlert(context: EngineContext, holder: string, since: Date | undefined, windowId?: number): Promise<PostedAlert | undefined> {
  const entries = await context.repositories.audit.list({ subject: `node:${holder}`, action: LOCK_STUCK, limit: 20 });
  const wanted = since?.toISOString() ?? null;
  const entry = entries.find((candidate) => candidate.details['since'] === wanted && (windowId === undefined || candidate.details['window'] === windowId));
  return entry === undefined ? undefined : alertOf(entry, holder);
}

function alertOf(entry: AuditEntry, holder: string): PostedAlert | undefined {
  const { key, window, since, reason, heldMs, ttlMs } = entry.details;
  if (typeof key !== 'string' || typeof window !== 'number' || typeof ttlMs !== 'number' || (reason !== 'holder-gone' && reason !== 'expired')) return undefined;
  const stuck: StuckLock = {
    holder,
    since: typeof since === 'string' ? new Date(since) : undefined,
    heldMs: typeof heldMs === 'number' ? heldMs : undefined,
    reason: reason satisfies StuckReason,
    ttlMs,
  };
  return { key, windowId: window, stuck };
}

function alertKey(windowId: number, stuck: StuckLock): string {
  return `lock:${windowId}:${stuck.holder}@${stuck.since?.getTime() ?? '-'}`;
}

async function liveWindowThread(context: EngineContext): Promise<string | undefined> {
  const window = (await context.repositories.windows.listLive()).find((candidate) => ['opening', 'open', 'closing'].includes(candidate.state));
  return window === undefined ? undefined : liveMessageKey(window.id);
}

async function zoneOf(context: EngineContext, windowId: number): Promise<string> {
  return (await context.repositories.windows.get(windowId))?.zone ?? context.settings.defaultZone;
}

function stuckInput(context: EngineContext, lock: RebootLock): StuckLockInput {
  return {
    lock,
    nodeNames: new Set(context.memory.nodes.map((node) => node.name)),
    now: context.clock.now(),
    fallbackTtlMs: fallbackTtlMs(context),
    ownHoldOwners: [PAUSE_LOCK_OWNER],
  };
}

function fallbackTtlMs(context: EngineContext): number {
  return context.settings.kuredLockTtlMs ?? DEFAULT_KURED_LOCK_TTL_MS;
}
