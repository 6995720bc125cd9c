// Which local dates of a schedule carry a window: the rule turned into a recurrence, shifted by
// the rule's day offset, and limited by `starting`, COUNT and an UNTIL date.
import { epochDayOf, parseIsoDate } from './calendar.ts';
import type { Rule, Schedule } from './model.ts';
import { weekdayIndex } from './names.ts';
import { recurrenceDays } from './recurrence.ts';
import type { Recurrence } from './recurrence.ts';

const EMPTY: readonly number[] = [];
/** Dates stay four-digit (and far inside what Date and luxon can represent). */
const LAST_DAY = epochDayOf(9999, 12, 31);

export function recurrenceOf(rule: Exclude<Rule, { kind: 'once' }>, anchor: number | undefined): Recurrence {
  const base = { interval: 1, byDay: [], byMonthDay: EMPTY, byMonth: EMPTY, bySetPos: EMPTY, weekStart: 0, anchor };
  switch (rule.kind) {
    case 'daily':
      return { ...base, freq: 'daily', interval: rule.interval };
    case 'weekly':
      return {
        ...base,
        freq: 'weekly',
        interval: rule.interval,
        byDay: rule.weekdays.map((weekday) => ({ weekday: weekdayIndex(weekday), ordinal: 0 })),
      };
    case 'monthly-weekday':
      return {
        ...base,
        freq: 'monthly',
        byDay: [{ weekday: weekdayIndex(rule.weekday), ordinal: rule.ordinal }],
        byMonth: rule.months,
      };
    case 'monthly-day':
      return { ...base, freq: 'monthly', byMonthDay: [rule.day], byMonth: rule.months };
    case 'rrule':
      return {
        freq: rule.freq,
        interval: rule.interval,
        byDay: rule.byDay.map((pick) => ({ weekday: weekdayIndex(pick.weekday), ordinal: pick.ordinal ?? 0 })),
        byMonthDay: rule.byMonthDay,
        byMonth: rule.byMonth,
        bySetPos: rule.bySetPos,
        weekStart: weekdayIndex(rule.weekStart),
        anchor,
      };
  }
}

function offsetDaysOf(rule: Rule): number {
  return rule.kind === 'monthly-weekday' ? rule.offsetDays : 0;
}

/**
 * The schedule's window dates (epoch days) on or after `earliestDay`, ascending. With COUNT
 * the dates are counted from `starting` even when they are before `earliestDay`.
 */
export function* occurrenceDays(schedule: Schedule, earliestDay: number): Generator<number, void, undefined> {
  const { rule } = schedule;
  const startingDay = schedule.starting === undefined ? undefined : parseIsoDate(schedule.starting);
  const untilDay = schedule.until?.kind === 'date' ? parseIsoDate(schedule.until.date) : undefined;
  if (rule.kind === 'once') {
    const day = parseIsoDate(rule.date);
    if (day !== undefined && day >= earliestDay && day <= LAST_DAY && (untilDay === undefined || day <= untilDay)) yield day;
    return;
  }
  const offset = offsetDaysOf(rule);
  const lowest = schedule.count === undefined ? Math.max(earliestDay, startingDay ?? earliestDay) : (startingDay ?? earliestDay);
  let remaining = schedule.count ?? Infinity;
  for (const anchorDay of recurrenceDays(recurrenceOf(rule, startingDay), lowest - offset)) {
    const day = anchorDay + offset;
    // Windows never start before `starting`; dates before it are not counted either.
    if (startingDay !== undefined && day < startingDay) continue;
    if ((untilDay !== undefined && day > untilDay) || remaining <= 0 || day > LAST_DAY) return;
    remaining -= 1;
    if (day >= earliestDay) yield day;
  }
}
