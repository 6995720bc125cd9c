// formatSchedule: the canonical text of a schedule. parseSchedule reads it back to an equal
// Schedule. Chat rules print in the chat grammar (lists sorted, durations as 1h30m, explicit
// zone); RRULE rules print as RRULE with COUNT/UNTIL inside and `at` before the time.
import { formatClockTime } from './clock.ts';
import { formatDuration } from './duration.ts';
import type { Month, Rule, Schedule, Until } from './model.ts';
import { monthShortName, ordinalWord } from './names.ts';
import { formatRrule } from './rrule.ts';

export function formatSchedule(schedule: Schedule): string {
  const { rule } = schedule;
  const words: string[] = [];
  if (rule.kind === 'rrule') {
    words.push(formatRrule(rule, schedule.count, schedule.until), 'at');
  } else {
    words.push(formatChatRule(rule));
  }
  const start = formatClockTime(schedule.start);
  words.push(schedule.end.kind === 'duration'
    ? `${start} for ${formatDuration(schedule.end.minutes)}`
    : `${start}-${formatClockTime(schedule.end.time)}`);
  if (schedule.starting !== undefined) words.push(`starting ${schedule.starting}`);
  if (rule.kind !== 'rrule') {
    if (schedule.until !== undefined) words.push(`until ${formatUntil(schedule.until)}`);
    if (schedule.count !== undefined) words.push(`${schedule.count} times`);
  }
  words.push(schedule.zone);
  return words.join(' ');
}

function formatChatRule(rule: Exclude<Rule, { kind: 'rrule' }>): string {
  switch (rule.kind) {
    case 'once':
      return `once ${rule.date}`;
    case 'daily':
      return rule.interval === 1 ? 'every day' : `every ${rule.interval} days`;
    case 'weekly':
      return rule.interval === 1 ? `every ${rule.weekdays.join(',')}` : `every ${rule.interval} weeks on ${rule.weekdays.join(',')}`;
    case 'monthly-weekday': {
      const months = rule.months.length > 0 ? ` of ${formatMonths(rule.months)}` : '';
      const offset = rule.offsetDays === 0 ? '' : ` ${formatOffset(rule.offsetDays)}`;
      return `every ${ordinalWord(rule.ordinal)} ${rule.weekday}${months}${offset}`;
    }
    case 'monthly-day':
      return `day ${rule.day} of ${rule.months.length > 0 ? formatMonths(rule.months) : 'every month'}`;
  }
}

function formatMonths(months: readonly Month[]): string {
  return months.map(monthShortName).join(',');
}

function formatOffset(days: number): string {
  return `${days > 0 ? '+' : ''}${days} ${Math.abs(days) === 1 ? 'day' : 'days'}`;
}

function formatUntil(until: Until): string {
  return until.kind === 'date' ? until.date : until.instant;
}
