// Building the one-line "cannot read …; example: …" errors. Parsers throw ScheduleParseFailure
// internally (it keeps deep grammar code linear) and the public entry points turn it into a result.
import type { ScheduleSyntaxError } from './model.ts';

/** Valid specs quoted in error messages, one per construct, so the hint matches what was attempted. */
export const EXAMPLES = {
  daily: 'every day 02:00-05:00 Europe/Zurich',
  weekly: 'every mon,tue,wed,thu,fri 14:00-17:00 Europe/Zurich',
  ordinal: 'every 2nd tue 14:00-17:00 Europe/Zurich',
  ordinalMonths: 'every 2nd tue of jan,apr,jul,oct 14:00-17:00 Europe/Zurich',
  duration: 'every last fri 22:00 for 4h UTC',
  offset: 'every 2nd tue +2 days 01:00 for 3h America/New_York',
  monthDay: 'day 15 of every month 01:00 for 3h Asia/Tokyo',
  rrule: 'RRULE:FREQ=MONTHLY;BYDAY=-1SU;BYMONTH=3,9 at 01:00 for 2h Australia/Sydney',
  interval: 'every 2 weeks on sat 01:00 for 6h starting 2026-12-05 UTC',
  once: 'once 2026-12-24 02:00 for 2h Europe/Berlin',
  until: 'every day 02:00-05:00 until 2027-06-30 Europe/Zurich',
  count: 'every day 02:00-05:00 starting 2026-12-01 10 times Europe/Zurich',
  skip: '2026-12-20..2027-01-06 Europe/Zurich',
} as const;

const MAX_FRAGMENT_LENGTH = 60;

export function syntaxError(fragment: string, expected: string, example: string): ScheduleSyntaxError {
  // Collapse whitespace (incl. line breaks) so the message stays on one line.
  const oneLine = fragment.replace(/\s+/g, ' ').trim();
  const shown = oneLine.length > MAX_FRAGMENT_LENGTH ? `${oneLine.slice(0, MAX_FRAGMENT_LENGTH - 1)}…` : oneLine;
  return { message: `cannot read "${shown}": ${expected}; example: ${example}`, fragment: shown, example };
}

export class ScheduleParseFailure extends Error {
  readonly error: ScheduleSyntaxError;

  constructor(error: ScheduleSyntaxError) {
    super(error.message);
    this.name = 'ScheduleParseFailure';
    this.error = error;
  }
}

export function fail(fragment: string, expected: string, example: string): never {
  throw new ScheduleParseFailure(syntaxError(fragment, expected, example));
}

/** Runs a parser that may `fail`, returning its value or the syntax error; other errors are bugs and propagate. */
export function catchSyntaxError<T>(read: () => T): { ok: true; value: T } | { ok: false; error: ScheduleSyntaxError } {
  try {
    return { ok: true, value: read() };
  } catch (error: unknown) {
    if (error instanceof ScheduleParseFailure) return { ok: false, error: error.error };
    throw error;
  }
}
