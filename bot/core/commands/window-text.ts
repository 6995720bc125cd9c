// How a window reads in chat and on the CLI: local time in the schedule's zone, then UTC.
import type { DateTime } from 'luxon';
import type { Window } from '../schedule/index.ts';

export function describeWindow(window: Window): string {
  const local = span(window.start, window.end);
  // The UTC side shows its own date when it differs from the local one, so 03:00 in Kathmandu
  // reads as the previous day in UTC.
  const sameDate = window.start.toUTC().toISODate() === window.start.toISODate();
  const utc = span(window.start.toUTC(), window.end.toUTC(), !sameDate);
  return `${local} ${window.start.zoneName} (${utc} UTC)`;
}

function span(startIn: DateTime, endIn: DateTime, withDate = true): string {
  // Fixed locale: weekday names must not depend on the machine's language.
  const start = startIn.setLocale('en');
  const end = endIn.setLocale('en');
  const first = withDate ? start.toFormat('ccc yyyy-MM-dd HH:mm') : start.toFormat('HH:mm');
  const sameDay = start.hasSame(end, 'day');
  const last = sameDay ? end.toFormat('HH:mm') : withDate ? end.toFormat('ccc yyyy-MM-dd HH:mm') : end.toFormat('MM-dd HH:mm');
  return `${first} → ${last}`;
}
