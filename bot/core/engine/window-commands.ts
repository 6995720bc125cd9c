// The window commands: open, approve/reject (commands and buttons), close, cancel, pause,
// resume. Each checks first, then records the transition, then acts on the cluster.
import type { Command, StartSpec } from '../commands/command.ts';
import type { Reply } from '../commands/command-context.ts';
import type { Actor } from '../ports/chat-port.ts';
import { parseIsoDate } from '../schedule/calendar.ts';
import { formatSkipRange, skipRangeSpan, spansOverlap } from '../schedule/skip-range.ts';
import { instantOfLocal, localDayOf } from '../schedule/local-time.ts';
import { zoneNamed } from '../schedule/zone.ts';
import { mayDecide } from '../windows/approval-policy.ts';
import { isLive, newWindow, overlaps } from '../windows/maintenance-window.ts';
import type { MaintenanceWindow } from '../windows/maintenance-window.ts';
import { formatSpan } from '../windows/window-message.ts';
import { PAUSE_LOCK_OWNER, transition } from './advance-windows.ts';
import type { EngineContext } from './engine-context.ts';
import { createWindow, textMessage } from './engine-context.ts';
import { MAX_WINDOW_MS } from './engine-settings.ts';

type Of<K extends Command['kind']> = Extract<Command, { kind: K }>;

export async function openWindow(context: EngineContext, actor: Actor, command: Of<'open'>): Promise<Reply> {
  const now = context.clock.now();
  const start = resolveStart(command.start, now);
  if (start === undefined) return { ok: false, text: 'that start time does not exist' };
  if (start.getTime() < now.getTime() - 60_000) return { ok: false, text: `${start.toISOString()} is in the past; give a later start` };
  const durationMs = command.minutes * 60_000;
  if (durationMs > MAX_WINDOW_MS) return { ok: false, text: 'a window may last at most 7 days' };
  const concurrency = command.concurrency ?? context.settings.defaultConcurrency;
  if (concurrency > context.settings.maxConcurrency) {
    return { ok: false, text: `--concurrency ${concurrency} is above the configured maximum of ${context.settings.maxConcurrency}` };
  }
  const span = { start: start.getTime() < now.getTime() ? now : start, end: new Date(Math.max(start.getTime(), now.getTime()) + durationMs) };
  const clash = (await context.repositories.windows.listLive()).find((window) => isLive(window) && overlaps(window, span));
  if (clash !== undefined) {
    return { ok: false, text: `overlaps window #${clash.id} (${formatSpan(clash.start, clash.end, clash.zone)}, ${clash.state}); close or cancel it first` };
  }
  const instants = { start: span.start.getTime(), end: span.end.getTime() };
  const blackout = (await context.repositories.skips.list()).find((skip) => spansOverlap(skipRangeSpan(skip.range), instants));
  if (blackout !== undefined) {
    return { ok: false, text: `overlaps blackout #${blackout.id} ${formatSkipRange(blackout.range)}${blackout.reason === '' ? '' : ` (${blackout.reason})`}; remove it with "unskip ${blackout.id}" first` };
  }
  const zone = command.start.kind === 'clock' || command.start.kind === 'local' ? command.start.zone : context.settings.defaultZone;
  const approvalRequired = context.settings.approvals.required;
  const window = await createWindow(
    context,
    newWindow({
      origin: { kind: 'on-demand' },
      state: approvalRequired ? 'requested' : 'approved',
      start: span.start,
      end: span.end,
      zone,
      concurrency,
      nodeSelector: command.nodeSelector,
      reason: command.reason,
      requestedBy: actor.id,
      requestedAt: now,
      approvalRequired,
      approvalExpiresAt: approvalRequired ? new Date(Math.min(now.getTime() + context.settings.approvals.requestTtlMs, span.end.getTime())) : undefined,
      note: approvalRequired ? undefined : 'No approval required by configuration.',
    }),
    { audit: { actor: actor.id, action: 'window.requested', details: { minutes: command.minutes, concurrency, reason: command.reason } } },
  );
  const when = formatSpan(window.start, window.end, window.zone);
  return {
    ok: true,
    text: approvalRequired
      ? `Requested window #${window.id} (${when}). It needs an approval from someone else: approve it with its button or "approve ${window.id}".`
      : `Window #${window.id} (${when}) is approved and will open at its start.`,
  };
}

export async function decide(context: EngineContext, actor: Actor, decision: 'approve' | 'reject', windowId: number, surface: 'button' | 'command'): Promise<Reply> {
  const window = await context.repositories.windows.get(windowId);
  if (window === undefined) {
    await refuse(context, actor, decision, windowId, 'no such window', surface);
    return { ok: false, text: `no window #${windowId}` };
  }
  const check = mayDecide(actor.id, window, decision, context.settings.approvals, context.clock.now(), context.approverGroups?.());
  if (!check.allowed) {
    await refuse(context, actor, decision, windowId, check.reason, surface);
    return { ok: false, text: `refused: ${check.reason}` };
  }
  const verb = decision === 'approve' ? 'approved' : 'rejected';
  const next = await transition(context, window, decision === 'approve' ? { type: 'approve', actor: actor.id } : { type: 'reject', actor: actor.id }, {
    audit: { actor: actor.id, action: `window.${verb}`, details: { surface } },
    replies: [textMessage(`${decision === 'approve' ? '👍' : '❌'} ${actor.displayName} ${verb} window #${window.id}.`)],
  });
  return next === undefined ? { ok: false, text: `window #${windowId} could not be ${verb}` } : { ok: true, text: `You ${verb} window #${window.id}.` };
}

async function refuse(context: EngineContext, actor: Actor, decision: string, windowId: number, reason: string, surface: string): Promise<void> {
  await context.repositories.audit.record({
    at: context.clock.now(),
    actor: actor.id,
    action: 'window.decision-refused',
    subject: `window:${windowId}`,
    details: { decision, reason, surface },
  });
}

export async function closeWindow(context: EngineContext, actor: Actor, windowId: number | undefined): Promise<Reply> {
  const live = await context.repositories.windows.listLive();
  const window = windowId === undefined ? live.find((candidate) => candidate.state === 'open' || candidate.state === 'opening') : live.find((candidate) => candidate.id === windowId);
  if (window === undefined) return { ok: false, text: windowId === undefined ? 'no window is open' : `window #${windowId} is not live (see "status")` };
  if (window.state !== 'open' && window.state !== 'opening') return cancelWindow(context, actor, window.id);
  const closing = await transition(context, window, { type: 'begin-closing', reason: 'closed-early' }, {
    audit: { actor: actor.id, action: 'window.closing', details: { reason: 'closed-early' } },
    replies: [textMessage(`🧹 ${actor.displayName} closed window #${window.id}; removing kured. Nodes mid-reboot finish, no new node starts.`)],
  });
  return closing === undefined ? { ok: false, text: `window #${window.id} cannot be closed now` } : { ok: true, text: `Closing window #${window.id}.` };
}

export async function cancelWindow(context: EngineContext, actor: Actor, windowId: number): Promise<Reply> {
  const window = await context.repositories.windows.get(windowId);
  if (window === undefined) return { ok: false, text: `no window #${windowId}` };
  if (window.state === 'open' || window.state === 'opening') return { ok: false, text: `window #${windowId} is ${window.state}; use "close ${windowId}"` };
  const cancelled = await transition(context, window, { type: 'cancel', actor: actor.id }, {
    audit: { actor: actor.id, action: 'window.cancelled' },
    replies: [textMessage(`🚫 ${actor.displayName} cancelled window #${window.id}.`)],
  });
  return cancelled === undefined ? { ok: false, text: `window #${windowId} is ${window.state}; it cannot be cancelled` } : { ok: true, text: `Cancelled window #${windowId}.` };
}

export async function pauseOrResume(context: EngineContext, actor: Actor, kind: 'pause' | 'resume'): Promise<Reply> {
  const window = (await context.repositories.windows.listLive()).find((candidate) => candidate.state === 'open');
  if (window === undefined) return { ok: false, text: 'no window is open' };
  const next = await transition(context, window, { type: kind }, {
    audit: { actor: actor.id, action: `window.${kind}d` },
    replies: [
      textMessage(
        kind === 'pause'
          ? `⏸️ ${actor.displayName} paused window #${window.id}: no further node starts; nodes already rebooting finish.`
          : `▶️ ${actor.displayName} resumed window #${window.id}.`,
      ),
    ],
  });
  if (next === undefined) return { ok: false, text: `window #${window.id} is ${kind === 'pause' ? 'paused already' : 'not paused'}` };
  // Stored first, then the lock: a crash in between is repaired by the reconciler.
  if (kind === 'pause') await context.cluster.holdRebootLock(PAUSE_LOCK_OWNER);
  else await context.cluster.releaseRebootLock(PAUSE_LOCK_OWNER);
  return { ok: true, text: kind === 'pause' ? `Paused window #${window.id}.` : `Resumed window #${window.id}.` };
}

/** The instant a start spec names; a bare wall time that has passed today means tomorrow. */
export function resolveStart(spec: StartSpec, now: Date): Date | undefined {
  switch (spec.kind) {
    case 'now':
      return now;
    case 'instant':
      return new Date(spec.iso);
    case 'clock': {
      // Local times follow the schedules' DST rules: a gap moves forward, an overlap takes the earlier instant.
      const zone = zoneNamed(spec.zone);
      const minute = spec.hour * 60 + spec.minute;
      const today = instantOfLocal(localDayOf(now.getTime(), zone), minute, zone);
      return new Date(today <= now.getTime() ? instantOfLocal(localDayOf(now.getTime(), zone) + 1, minute, zone) : today);
    }
    case 'local': {
      const day = parseIsoDate(spec.date);
      return day === undefined ? undefined : new Date(instantOfLocal(day, spec.hour * 60 + spec.minute, zoneNamed(spec.zone)));
    }
  }
}

export function isOpenish(window: MaintenanceWindow): boolean {
  return window.state === 'open' || window.state === 'opening' || window.state === 'closing';
}
