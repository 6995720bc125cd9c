// The parsed form of a schedule spec: plain data (no classes, no luxon objects) so it can be
// stored as JSON and compared with deep equality. Dates are local calendar dates in the zone.

/** Monday first (ISO 8601): the order used for sorting lists and as the default week start. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** 1 = January … 12 = December. */
export type Month = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12;

/** A wall-clock time as written in the spec; 00:00 … 23:59. */
export interface ClockTime {
  readonly hour: number;
  readonly minute: number;
}

/** How a window ends: after elapsed minutes (`for 3h`) or at a wall-clock time (`14:00-17:00`). */
export type WindowEnd =
  | { readonly kind: 'duration'; readonly minutes: number }
  | { readonly kind: 'clock'; readonly time: ClockTime };

/** Last occurrence allowed: a local date (inclusive) or a UTC instant the start may not pass. */
export type Until =
  | { readonly kind: 'date'; readonly date: string /* yyyy-mm-dd */ }
  | { readonly kind: 'instant'; readonly instant: string /* yyyy-mm-ddThh:mm:ssZ */ };

export type Frequency = 'daily' | 'weekly' | 'monthly' | 'yearly';

/** An RFC 5545 BYDAY entry; `ordinal` (±1…±53) picks the nth such weekday of the month or year. */
export interface ByDay {
  readonly weekday: Weekday;
  readonly ordinal?: number;
}

/** Which local dates carry a window. `months: []` means every month. */
export type Rule =
  | { readonly kind: 'once'; readonly date: string /* yyyy-mm-dd */ }
  | { readonly kind: 'daily'; readonly interval: number }
  | { readonly kind: 'weekly'; readonly interval: number; readonly weekdays: readonly Weekday[] }
  | {
      readonly kind: 'monthly-weekday';
      /** 1…5 from the start of the month, -1 = last, -2 = 2nd-last … */
      readonly ordinal: number;
      readonly weekday: Weekday;
      readonly months: readonly Month[];
      /** Whole days added to the matched date ("Patch Tuesday + 2 days"); may cross into the next month. */
      readonly offsetDays: number;
    }
  | {
      readonly kind: 'monthly-day';
      /** 1…31, or -1 = last day of the month, -2 = the day before … */
      readonly day: number;
      readonly months: readonly Month[];
    }
  | {
      readonly kind: 'rrule';
      readonly freq: Frequency;
      readonly interval: number;
      readonly byDay: readonly ByDay[];
      readonly byMonthDay: readonly number[];
      readonly byMonth: readonly Month[];
      readonly bySetPos: readonly number[];
      readonly weekStart: Weekday;
    };

export interface Schedule {
  readonly rule: Rule;
  readonly start: ClockTime;
  readonly end: WindowEnd;
  /** IANA zone name (or `UTC`) the rule's dates and times are read in. */
  readonly zone: string;
  /** First date a window may start on; also the DTSTART that INTERVAL and COUNT count from. */
  readonly starting?: string;
  /** Number of occurrences counted from `starting` (RRULE COUNT / `<n> times`). */
  readonly count?: number;
  readonly until?: Until;
}

/** Why a spec could not be read; `message` is one line quoting `fragment` and showing `example`. */
export interface ScheduleSyntaxError {
  readonly message: string;
  readonly fragment: string;
  readonly example: string;
}

export type ParseResult =
  | { readonly ok: true; readonly schedule: Schedule }
  | { readonly ok: false; readonly error: ScheduleSyntaxError };
