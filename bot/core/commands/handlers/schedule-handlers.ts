// schedule add | list | remove | preview.
import type { Command, ScheduleTarget } from '../command.ts';
import type { CommandContext, Reply } from '../command-context.ts';
import type { StoredSchedule } from '../../ports/schedule-repository.ts';
import { formatSchedule, parseSchedule, windowsOf } from '../../schedule/index.ts';
import type { Schedule, SkipRange } from '../../schedule/index.ts';
import { describeWindow } from '../window-text.ts';

type Of<K extends Command['kind']> = Extract<Command, { kind: K }>;

export async function addSchedule(command: Of<'schedule-add'>, context: CommandContext): Promise<Reply> {
  const canonical = formatSchedule(command.spec.schedule);
  const outcome = await context.transactions.run(async ({ schedules, audit }) => {
    if (command.name !== undefined) {
      const existing = await schedules.findByName(command.name);
      if (existing !== undefined) return { ok: false as const, existing };
    }
    const stored = await schedules.add({
      name: command.name,
      specText: command.spec.text,
      canonical,
      approval: command.approval,
      createdBy: context.actor,
      createdAt: context.now,
    });
    await audit.record({
      at: context.now,
      actor: context.actor,
      action: 'schedule.added',
      subject: `schedule:${stored.id}`,
      details: { name: command.name ?? null, spec: command.spec.text, canonical, approval: command.approval },
    });
    return { ok: true as const, stored };
  });
  if (!outcome.ok) return { ok: false, text: `a schedule named ${outcome.existing.name ?? ''} exists already (#${outcome.existing.id}); pick another --name` };
  const skips = await activeSkipRanges(context);
  const [next] = windowsOf(command.spec.schedule, { from: context.now, count: 1, skips });
  return {
    ok: true,
    text: [
      `Added schedule ${label(outcome.stored)}: ${canonical} (approval ${command.approval})`,
      next === undefined ? 'It produces no window from now on.' : `Next window: ${describeWindow(next)}`,
    ].join('\n'),
  };
}

export async function listSchedules(context: CommandContext): Promise<Reply> {
  const stored = await context.repositories.schedules.list();
  if (stored.length === 0) return { ok: true, text: 'No schedules. Add one with "schedule add <spec>" (see "help schedule add").' };
  const skips = await activeSkipRanges(context);
  const lines = stored.flatMap((schedule) => {
    const parsed = reparse(schedule);
    const next = parsed === undefined ? undefined : windowsOf(parsed, { from: context.now, count: 1, skips })[0];
    const nextText = parsed === undefined ? 'cannot be evaluated by this version' : next === undefined ? 'none' : describeWindow(next);
    return [`${label(schedule)} ${schedule.canonical} (approval ${schedule.approval})`, `    next: ${nextText}`];
  });
  return { ok: true, text: lines.join('\n') };
}

export async function removeSchedule(command: Of<'schedule-remove'>, context: CommandContext): Promise<Reply> {
  const removed = await context.transactions.run(async ({ schedules, audit }) => {
    const schedule = command.target.kind === 'id' ? await schedules.get(command.target.id) : await schedules.findByName(command.target.name);
    if (schedule === undefined) return undefined;
    await schedules.remove(schedule.id, context.actor, context.now);
    await audit.record({
      at: context.now,
      actor: context.actor,
      action: 'schedule.removed',
      subject: `schedule:${schedule.id}`,
      details: { name: schedule.name ?? null, canonical: schedule.canonical },
    });
    return schedule;
  });
  if (removed === undefined) return { ok: false, text: `no schedule ${targetText(command.target)} (see "schedule list")` };
  return { ok: true, text: `Removed schedule ${label(removed)}: ${removed.canonical}` };
}

export async function previewSchedule(command: Of<'schedule-preview'>, context: CommandContext): Promise<Reply> {
  const skips = command.withSkips ? await activeSkipRanges(context) : [];
  const windows = windowsOf(command.spec.schedule, { from: context.now, count: command.count, skips });
  const heading = `${formatSchedule(command.spec.schedule)}${command.withSkips ? ' (blackout dates applied)' : ''}`;
  if (windows.length === 0) return { ok: true, text: `${heading}\nNo windows from now on.` };
  return { ok: true, text: [heading, ...windows.map((window) => `  ${describeWindow(window)}`)].join('\n') };
}

export async function activeSkipRanges(context: CommandContext): Promise<SkipRange[]> {
  return (await context.repositories.skips.list()).map((skip) => skip.range);
}

/** Stored schedules are re-read from their canonical text, which this version wrote. */
function reparse(schedule: StoredSchedule): Schedule | undefined {
  const parsed = parseSchedule(schedule.canonical, { defaultZone: 'UTC' });
  return parsed.ok ? parsed.schedule : undefined;
}

function label(schedule: StoredSchedule): string {
  return schedule.name === undefined ? `#${schedule.id}` : `#${schedule.id} ${schedule.name}`;
}

function targetText(target: ScheduleTarget): string {
  return target.kind === 'id' ? `#${target.id}` : `named ${target.name}`;
}
