// The date engine behind every rule: an RFC 5545-style recurrence (FREQ, INTERVAL, BYDAY,
// BYMONTHDAY, BYMONTH, BYSETPOS, WKST) stepped period by period (day, week, month or year) on
// epoch days. Each period yields its matching dates in order, so callers can stop early and
// a rule that never matches still ends after a bounded number of periods.
import { civilDateOf, daysInMonth, epochDayOf, isLeapYear, modulo, weekdayIndexOf } from './calendar.ts';
import type { Frequency } from './model.ts';

export interface WeekdayPick {
  readonly weekday: number; // 0 = Monday … 6 = Sunday
  /** nth match within the month (or the year), negative from the end; 0 = every match. */
  readonly ordinal: number;
}

export interface Recurrence {
  readonly freq: Frequency;
  readonly interval: number;
  readonly byDay: readonly WeekdayPick[];
  readonly byMonthDay: readonly number[];
  readonly byMonth: readonly number[];
  readonly bySetPos: readonly number[];
  readonly weekStart: number; // 0 = Monday … 6 = Sunday
  /** DTSTART's epoch day: INTERVAL counts periods from it and it supplies the day when no BY-part does. */
  readonly anchor: number | undefined;
}

/** How long the search goes on without a match before concluding there are no more dates. */
export const SEARCH_YEARS = 400;
const PERIODS_IN_SEARCH: Readonly<Record<Frequency, number>> = {
  daily: SEARCH_YEARS * 366,
  weekly: SEARCH_YEARS * 53,
  monthly: SEARCH_YEARS * 12,
  yearly: SEARCH_YEARS,
};

/** Matching epoch days on or after `fromDay`, ascending. */
export function* recurrenceDays(recurrence: Recurrence, fromDay: number): Generator<number, void, undefined> {
  const { interval, anchor } = recurrence;
  const firstPeriod = periodOf(recurrence, fromDay);
  let period = firstPeriod;
  if (interval > 1 && anchor !== undefined) period += modulo(periodOf(recurrence, anchor) - period, interval);
  // The horizon moves on with every match: only a rule silent for SEARCH_YEARS is considered done.
  const horizon = PERIODS_IN_SEARCH[recurrence.freq];
  let lastPeriod = firstPeriod + horizon;
  for (; period <= lastPeriod; period += interval) {
    for (const day of daysOfPeriod(recurrence, period)) {
      if (day < fromDay) continue;
      lastPeriod = period + horizon;
      yield day;
    }
  }
}

/** Periods are numbered so that consecutive periods have consecutive numbers. */
function periodOf(recurrence: Recurrence, day: number): number {
  switch (recurrence.freq) {
    case 'daily':
      return day;
    case 'weekly':
      return Math.floor((day - firstDayOfWeekZero(recurrence)) / 7);
    case 'monthly': {
      const { year, month } = civilDateOf(day);
      return year * 12 + month - 1;
    }
    case 'yearly':
      return civilDateOf(day).year;
  }
}

/** Epoch day of the first day of week number 0 (day 0 is a Thursday, weekday index 3). */
function firstDayOfWeekZero(recurrence: Recurrence): number {
  return recurrence.weekStart - 3;
}

function daysOfPeriod(recurrence: Recurrence, period: number): number[] {
  const days = candidateDays(recurrence, period);
  return recurrence.bySetPos.length > 0 ? pickPositions(days, recurrence.bySetPos) : days;
}

function candidateDays(recurrence: Recurrence, period: number): number[] {
  switch (recurrence.freq) {
    case 'daily':
      return dayMatches(recurrence, period) ? [period] : [];
    case 'weekly':
      return weekDays(recurrence, period);
    case 'monthly': {
      const year = Math.floor(period / 12);
      const month = period - year * 12 + 1;
      return monthAllowed(recurrence, month) ? monthDays(recurrence, year, month) : [];
    }
    case 'yearly':
      return yearDays(recurrence, period);
  }
}

function monthAllowed(recurrence: Recurrence, month: number): boolean {
  return recurrence.byMonth.length === 0 || recurrence.byMonth.includes(month);
}

/** DAILY: every BY-part only limits (RFC 5545 §3.3.10 table). */
function dayMatches(recurrence: Recurrence, day: number): boolean {
  const { year, month, day: dayOfMonth } = civilDateOf(day);
  if (!monthAllowed(recurrence, month)) return false;
  if (recurrence.byMonthDay.length > 0) {
    const length = daysInMonth(year, month);
    if (!recurrence.byMonthDay.some((wanted) => resolveMonthDay(wanted, length) === dayOfMonth)) return false;
  }
  const weekday = weekdayIndexOf(day);
  return recurrence.byDay.length === 0 || recurrence.byDay.some((pick) => pick.weekday === weekday);
}

/** WEEKLY: BYDAY expands within the week (or DTSTART's weekday), BYMONTH limits. */
function weekDays(recurrence: Recurrence, period: number): number[] {
  const weekStartDay = period * 7 + firstDayOfWeekZero(recurrence);
  const weekdays =
    recurrence.byDay.length > 0 ? recurrence.byDay.map((pick) => pick.weekday) : anchorWeekday(recurrence);
  const days = weekdays.map((weekday) => weekStartDay + modulo(weekday - recurrence.weekStart, 7));
  return sortedUnique(days.filter((day) => monthAllowed(recurrence, civilDateOf(day).month) && limitByMonthDay(recurrence, day)));
}

function limitByMonthDay(recurrence: Recurrence, day: number): boolean {
  if (recurrence.byMonthDay.length === 0) return true;
  const { year, month, day: dayOfMonth } = civilDateOf(day);
  const length = daysInMonth(year, month);
  return recurrence.byMonthDay.some((wanted) => resolveMonthDay(wanted, length) === dayOfMonth);
}

function anchorWeekday(recurrence: Recurrence): number[] {
  return recurrence.anchor === undefined ? [] : [weekdayIndexOf(recurrence.anchor)];
}

/** MONTHLY (and YEARLY with BYMONTH): BYMONTHDAY and BYDAY expand within the month, and intersect when both are given. */
function monthDays(recurrence: Recurrence, year: number, month: number): number[] {
  const first = epochDayOf(year, month, 1);
  const length = daysInMonth(year, month);
  return spanDays(recurrence, first, length, (wanted) => {
    const dayOfMonth = resolveMonthDay(wanted, length);
    return dayOfMonth === undefined ? [] : [first + dayOfMonth - 1];
  }, () => {
    if (recurrence.anchor === undefined) return [];
    const anchorDay = civilDateOf(recurrence.anchor).day;
    return anchorDay <= length ? [first + anchorDay - 1] : [];
  });
}

/** YEARLY: with BYMONTH work month by month; otherwise BYDAY ordinals count within the year. */
function yearDays(recurrence: Recurrence, year: number): number[] {
  if (recurrence.byMonth.length > 0) {
    return recurrence.byMonth.flatMap((month) => monthDays(recurrence, year, month)).sort((a, b) => a - b);
  }
  const first = epochDayOf(year, 1, 1);
  const length = isLeapYear(year) ? 366 : 365;
  return spanDays(recurrence, first, length, (wanted) => {
    const days: number[] = [];
    for (let month = 1; month <= 12; month += 1) {
      const dayOfMonth = resolveMonthDay(wanted, daysInMonth(year, month));
      if (dayOfMonth !== undefined) days.push(epochDayOf(year, month, dayOfMonth));
    }
    return days;
  }, () => {
    if (recurrence.anchor === undefined) return [];
    const anchorDate = civilDateOf(recurrence.anchor);
    return anchorDate.day <= daysInMonth(year, anchorDate.month) ? [epochDayOf(year, anchorDate.month, anchorDate.day)] : [];
  });
}

/** Dates in [first, first + length) picked by BYMONTHDAY and/or BYDAY, or the anchor's date when neither is given. */
function spanDays(
  recurrence: Recurrence,
  first: number,
  length: number,
  monthDayMatches: (wanted: number) => number[],
  anchorDays: () => number[],
): number[] {
  const byMonthDay = recurrence.byMonthDay.length > 0 ? recurrence.byMonthDay.flatMap(monthDayMatches) : undefined;
  const byDay = recurrence.byDay.length > 0 ? recurrence.byDay.flatMap((pick) => weekdayMatches(first, length, pick)) : undefined;
  if (byMonthDay !== undefined && byDay !== undefined) return sortedUnique(byMonthDay.filter((day) => byDay.includes(day)));
  return sortedUnique(byMonthDay ?? byDay ?? anchorDays());
}

/** All days in [first, first + length) with the pick's weekday, or only its nth (from the end when negative). */
function weekdayMatches(first: number, length: number, pick: WeekdayPick): number[] {
  const firstMatch = first + modulo(pick.weekday - weekdayIndexOf(first), 7);
  const count = firstMatch < first + length ? Math.floor((first + length - 1 - firstMatch) / 7) + 1 : 0;
  if (pick.ordinal === 0) return Array.from({ length: count }, (_, i) => firstMatch + i * 7);
  const index = pick.ordinal > 0 ? pick.ordinal - 1 : count + pick.ordinal;
  return index >= 0 && index < count ? [firstMatch + index * 7] : [];
}

/** BYMONTHDAY value → day of month (negative counts from the end), undefined if the month is too short. */
function resolveMonthDay(wanted: number, length: number): number | undefined {
  const day = wanted > 0 ? wanted : length + 1 + wanted;
  return day >= 1 && day <= length ? day : undefined;
}

/** BYSETPOS: keep the nth dates of the period's sorted set (negative from the end). */
function pickPositions(days: readonly number[], positions: readonly number[]): number[] {
  const picked = positions
    .map((position) => days[position > 0 ? position - 1 : days.length + position])
    .filter((day) => day !== undefined);
  return sortedUnique(picked);
}

function sortedUnique(days: readonly number[]): number[] {
  return [...new Set(days)].sort((a, b) => a - b);
}
