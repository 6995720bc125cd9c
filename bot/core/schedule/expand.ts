// Expanding a schedule into concrete maintenance windows. Dates come from the recurrence
// engine; each date's start and end are resolved in the zone with the DST rules of local-time.ts.
import { DateTime } from 'luxon';
import type { Zone } from 'luxon';
import { MINUTE_MS } from './calendar.ts';
import { minuteOfDay } from './clock.ts';
import { MAX_DURATION_MINUTES } from './limits.ts';
import { instantOfLocal, localDayOf } from './local-time.ts';
import type { Schedule } from './model.ts';
import { occurrenceDays } from './occurrences.ts';
import { skipRangeSpan, spansOverlap } from './skip-range.ts';
import type { InstantSpan, SkipRange } from './skip-range.ts';
import { zoneNamed } from './zone.ts';

/** A maintenance window [start, end), both in the schedule's zone. */
export interface Window {
  readonly start: DateTime<true>;
  readonly end: DateTime<true>;
}

export interface WindowsOfOptions {
  /** Only windows still running or upcoming at this instant (end after it) are returned. */
  readonly from: DateTime | Date;
  readonly count: number;
  readonly skips?: readonly SkipRange[];
}

/** A window starting this many local days before `from` can still be running (7-day duration + a day of slack). */
const LOOKBACK_DAYS = Math.ceil(MAX_DURATION_MINUTES / 1440) + 1;

/**
 * The first `count` windows whose end is after `from`, ordered by start, leaving out windows
 * that overlap a skip range. Stops early when the rule runs out (COUNT, UNTIL, or no match
 * within the search horizon).
 */
export function windowsOf(schedule: Schedule, options: WindowsOfOptions): Window[] {
  const from = options.from instanceof Date ? options.from.getTime() : options.from.toMillis();
  if (!Number.isFinite(from)) throw new RangeError('windowsOf: `from` is not a valid instant');
  const windows: Window[] = [];
  if (options.count <= 0) return windows;
  const zone = zoneNamed(schedule.zone);
  if (!zone.isValid) throw new RangeError(`windowsOf: unknown time zone ${schedule.zone}`);
  const skips = (options.skips ?? []).map(skipRangeSpan);
  const untilInstant = schedule.until?.kind === 'instant' ? Date.parse(schedule.until.instant) : Infinity;

  for (const day of occurrenceDays(schedule, localDayOf(from, zone) - LOOKBACK_DAYS)) {
    const span = windowSpan(schedule, day, zone);
    if (span.start > untilInstant) break;
    if (span.end <= span.start || span.end <= from) continue;
    if (skips.some((skip) => spansOverlap(span, skip))) continue;
    windows.push({ start: dateTimeIn(span.start, zone), end: dateTimeIn(span.end, zone) });
    if (windows.length >= options.count) break;
  }
  return windows;
}

/**
 * The instants of the window on local date `day`. A `for` end is elapsed time; an `HH:MM` end is
 * that wall time on the same date when it is later than the start as written, else the next day.
 * The span may come out empty around DST changes; callers drop it.
 */
export function windowSpan(schedule: Schedule, day: number, zone: Zone): InstantSpan {
  const startMinute = minuteOfDay(schedule.start);
  const start = instantOfLocal(day, startMinute, zone);
  if (schedule.end.kind === 'duration') return { start, end: start + schedule.end.minutes * MINUTE_MS };
  const endMinute = minuteOfDay(schedule.end.time);
  return { start, end: instantOfLocal(endMinute > startMinute ? day : day + 1, endMinute, zone) };
}

function dateTimeIn(instant: number, zone: Zone): DateTime<true> {
  const dateTime = DateTime.fromMillis(instant, { zone });
  if (!dateTime.isValid) throw new RangeError(`windowsOf: cannot represent ${instant} in ${zone.name}`);
  return dateTime;
}

/** JSON form of a window: ISO 8601 with the zone's offset, no milliseconds. */
export function windowToJson(window: Window): { start: string; end: string } {
  return {
    start: window.start.toISO({ suppressMilliseconds: true }),
    end: window.end.toISO({ suppressMilliseconds: true }),
  };
}

