// Date ranges during which no window may run ("change freeze 2026-12-20..2027-01-06 holidays").
// A range covers whole local days in its zone: [from 00:00, the day after `to` 00:00).
import { formatIsoDate, parseIsoDate } from './calendar.ts';
import { instantOfLocal } from './local-time.ts';
import type { ScheduleSyntaxError } from './model.ts';
import { EXAMPLES, catchSyntaxError, fail } from './syntax-error.ts';
import { canonicalZoneName, zoneNamed } from './zone.ts';

export interface SkipRange {
  readonly from: string; // yyyy-mm-dd
  readonly to: string; // yyyy-mm-dd, inclusive
  readonly zone: string;
}

export type SkipRangeParseResult =
  | { readonly ok: true; readonly range: SkipRange; readonly rest: string }
  | { readonly ok: false; readonly error: ScheduleSyntaxError };

/** Only zone-shaped words are taken as a zone, so a reason such as "Japan office closed" stays a reason. */
const ZONE_SHAPED = /^(?:utc|[A-Za-z][A-Za-z0-9_+-]*\/[A-Za-z0-9_+\-/]+)$/i;

/**
 * Reads `2026-12-20..2027-01-06 [zone] [reason…]` or `2026-12-24 [zone] [reason…]`; `rest` is the
 * text after the range and zone (the reason), trimmed.
 */
export function parseSkipRange(text: string, defaultZone: string): SkipRangeParseResult {
  const read = catchSyntaxError(() => readSkipRange(text, defaultZone));
  return read.ok ? { ok: true, range: read.value.range, rest: read.value.rest } : read;
}

function readSkipRange(text: string, defaultZone: string): { range: SkipRange; rest: string } {
  const [datesText, afterDates] = splitFirstWord(text.trim().replace(/^(\S+?)\s*\.\.\s*/, '$1..'));
  if (datesText === '') fail(text, 'expected a date yyyy-mm-dd or a range yyyy-mm-dd..yyyy-mm-dd', EXAMPLES.skip);
  const parts = datesText.split('..');
  if (parts.length > 2) fail(datesText, 'expected a date yyyy-mm-dd or a range yyyy-mm-dd..yyyy-mm-dd', EXAMPLES.skip);
  const [fromText = '', toText = fromText] = parts;
  const fromDay = parseIsoDate(fromText);
  if (fromDay === undefined) fail(fromText, 'expected a first date yyyy-mm-dd that exists in the calendar', EXAMPLES.skip);
  const toDay = parseIsoDate(toText);
  if (toDay === undefined) fail(toText, 'expected a last date yyyy-mm-dd that exists in the calendar', EXAMPLES.skip);
  if (fromDay > toDay) fail(datesText, 'expected the first date on or before the last date', EXAMPLES.skip);

  const [maybeZone, afterZone] = splitFirstWord(afterDates);
  const zoneGiven = ZONE_SHAPED.test(maybeZone);
  const zoneText = zoneGiven ? maybeZone : defaultZone;
  const zone = canonicalZoneName(zoneText);
  if (zone === undefined) fail(zoneText, 'expected an IANA time zone such as Europe/Zurich, or UTC', EXAMPLES.skip);
  return {
    range: { from: formatIsoDate(fromDay), to: formatIsoDate(toDay), zone },
    rest: (zoneGiven ? afterZone : afterDates).trim(),
  };
}

function splitFirstWord(text: string): [string, string] {
  const match = /^(\S*)\s*([\s\S]*)$/.exec(text);
  return [match?.[1] ?? '', match?.[2] ?? ''];
}

/** Canonical text, which parseSkipRange reads back to an equal range. */
export function formatSkipRange(range: SkipRange): string {
  const dates = range.from === range.to ? range.from : `${range.from}..${range.to}`;
  return `${dates} ${range.zone}`;
}

/** The half-open instant span [start, end) in epoch ms the range covers. */
export interface InstantSpan {
  readonly start: number;
  readonly end: number;
}

export function skipRangeSpan(range: SkipRange): InstantSpan {
  const zone = zoneNamed(range.zone);
  const fromDay = parseIsoDate(range.from) ?? Number.NaN;
  const toDay = parseIsoDate(range.to) ?? Number.NaN;
  return { start: instantOfLocal(fromDay, 0, zone), end: instantOfLocal(toDay + 1, 0, zone) };
}

/** Half-open spans overlap when each starts before the other ends. */
export function spansOverlap(a: InstantSpan, b: InstantSpan): boolean {
  return a.start < b.end && b.start < a.end;
}
