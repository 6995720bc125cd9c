// Turns stored schedules into windows ahead of time: a window that needs approval is requested
// `leadMs` before it starts (and expires at its start); a pre-approved one is created approved.
import { formatSkipRange, parseSchedule, windowsOf } from '../schedule/index.ts';
import type { SkipRange } from '../schedule/index.ts';
import { skipRangeSpan, spansOverlap } from '../schedule/skip-range.ts';
import type { StoredSchedule } from '../ports/schedule-repository.ts';
import { isLive, newWindow, overlaps } from '../windows/maintenance-window.ts';
import { applyWindowEvent } from '../windows/window-lifecycle.ts';
import type { EngineContext } from './engine-context.ts';
import { createWindow, recordWindow, textMessage } from './engine-context.ts';

export async function materializeSchedules(context: EngineContext): Promise<void> {
  const now = context.clock.now();
  const horizon = new Date(now.getTime() + context.settings.approvals.leadMs);
  const schedules = await context.repositories.schedules.list();
  const skips = (await context.repositories.skips.list()).map((skip) => skip.range);
  await cancelBlackedOut(context, skips);
  if (schedules.length === 0) return;
  for (const schedule of schedules) {
    const parsed = parseSchedule(schedule.canonical, { defaultZone: 'UTC' });
    if (!parsed.ok) continue;
    for (const next of windowsOf(parsed.schedule, { from: now, count: 3, skips })) {
      const start = next.start.toJSDate();
      if (start.getTime() > horizon.getTime() || start.getTime() < now.getTime()) continue;
      if ((await context.repositories.windows.findBySchedule(schedule.id, start)) !== undefined) continue;
      await createScheduledWindow(context, schedule, start, next.end.toJSDate(), parsed.schedule.zone);
    }
  }
}

async function createScheduledWindow(context: EngineContext, schedule: StoredSchedule, start: Date, end: Date, zone: string): Promise<void> {
  const now = context.clock.now();
  const live = await context.repositories.windows.listLive();
  const clash = live.find((window) => isLive(window) && overlaps(window, { start, end }));
  const preApproved = schedule.approval === 'pre-approved';
  const name = schedule.name === undefined ? `#${schedule.id}` : schedule.name;
  await createWindow(
    context,
    newWindow({
      origin: { kind: 'schedule', scheduleId: schedule.id, scheduleName: schedule.name },
      state: clash !== undefined ? 'cancelled' : preApproved ? 'approved' : 'requested',
      start,
      end,
      zone,
      concurrency: context.settings.defaultConcurrency,
      nodeSelector: undefined,
      reason: `schedule ${name}`,
      requestedBy: 'system',
      requestedAt: now,
      approvalRequired: !preApproved,
      approvalExpiresAt: preApproved ? undefined : start,
      note: clash !== undefined ? `skipped: overlaps window #${clash.id}` : preApproved ? 'Pre-approved by its schedule.' : undefined,
    }),
    {
      audit: { actor: 'system', action: 'window.requested', details: { schedule: schedule.id, preApproved } },
      replies: clash !== undefined ? [textMessage(`🚫 Skipped: schedule ${name}'s window overlaps window #${clash.id}.`)] : [],
    },
  );
}

/**
 * A blackout added after a schedule's window was created (windows are created up to `leadMs`
 * ahead) still excludes it: the window is cancelled before it opens.
 */
async function cancelBlackedOut(context: EngineContext, skips: readonly SkipRange[]): Promise<void> {
  if (skips.length === 0) return;
  for (const window of await context.repositories.windows.listLive()) {
    if (window.origin.kind !== 'schedule' || !['requested', 'approved', 'scheduled'].includes(window.state)) continue;
    const span = { start: window.start.getTime(), end: window.end.getTime() };
    const skip = skips.find((range) => spansOverlap(skipRangeSpan(range), span));
    if (skip === undefined) continue;
    const result = applyWindowEvent(window, { type: 'cancel', actor: 'system' }, context.clock.now());
    if (!result.ok) continue;
    const blackout = formatSkipRange(skip);
    await recordWindow(context, { ...result.window, note: `skipped: blackout ${blackout}` }, {
      audit: { actor: 'system', action: 'window.cancelled', details: { blackout } },
      replies: [textMessage(`🚫 Skipped: window #${window.id} falls on blackout ${blackout}.`)],
    });
  }
}
