// Turns stored schedules into windows ahead of time: a window that needs approval is requested
// `leadMs` before it starts (and expires at its start); a pre-approved one is created approved.
import { parseSchedule, windowsOf } from '../schedule/index.ts';
import type { StoredSchedule } from '../ports/schedule-repository.ts';
import { isLive, newWindow, overlaps } from '../windows/maintenance-window.ts';
import type { EngineContext } from './engine-context.ts';
import { createWindow, textMessage } from './engine-context.ts';

export async function materializeSchedules(context: EngineContext): Promise<void> {
  const now = context.clock.now();
  const horizon = new Date(now.getTime() + context.settings.approvals.leadMs);
  const schedules = await context.repositories.schedules.list();
  if (schedules.length === 0) return;
  const skips = (await context.repositories.skips.list()).map((skip) => skip.range);
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
