// The chat-friendly rule words at the start of a spec:
//   every day | every <n> days
//   every <weekdays> | every week on <weekdays> | every <n> weeks on <weekdays>
//   every <ordinal> <weekday> [of <months> | of every month] [+<n> days | -<n> days]
//   day <n> of every month | day <n> of <months>      (n = 1…31 or -1…-31 from the end)
//   once <yyyy-mm-dd>
import { formatIsoDate, parseIsoDate } from './calendar.ts';
import type { Month, Rule, Weekday } from './model.ts';
import { MAX_INTERVAL, MAX_OFFSET_DAYS } from './limits.ts';
import { ordinalOfWord, readMonthList, readWeekdayList, weekdayOfWord } from './names.ts';
import { EXAMPLES, fail } from './syntax-error.ts';
import type { TokenCursor } from './tokens.ts';

export interface RuleReading {
  readonly rule: Rule;
  /** The example shown in later errors, chosen to resemble what the user is writing. */
  readonly example: string;
}

export function readChatRule(cursor: TokenCursor): RuleReading {
  const token = cursor.next();
  switch (token?.toLowerCase()) {
    case 'every':
      return readEvery(cursor);
    case 'day':
      return readMonthDay(cursor);
    case 'once':
      return readOnce(cursor);
    default:
      return fail(
        token ?? '',
        'expected a schedule starting with "every", "day <n> of", "once" or "RRULE:"',
        EXAMPLES.ordinal,
      );
  }
}

const EXPECTED_AFTER_EVERY =
  'expected what repeats after "every": day, weekdays (mon,tue), an ordinal weekday (2nd tue) or "<n> weeks on <weekdays>"';

function readEvery(cursor: TokenCursor): RuleReading {
  const token = cursor.next();
  if (token === undefined) fail('every', EXPECTED_AFTER_EVERY, EXAMPLES.ordinal);
  const word = token.toLowerCase();
  if (word === 'day') return { rule: { kind: 'daily', interval: 1 }, example: EXAMPLES.daily };
  if (word === 'week') {
    cursor.accept('on');
    return { rule: { kind: 'weekly', interval: 1, weekdays: readWeekdays(cursor) }, example: EXAMPLES.weekly };
  }
  if (/^\d+$/.test(word)) return readInterval(cursor, token);
  const ordinal = ordinalOfWord(word);
  if (ordinal !== undefined) return readOrdinalWeekday(cursor, token, ordinal);
  if (/^\d+(?:st|nd|rd|th)$|-last$/.test(word)) {
    fail(token, 'expected an ordinal from 1st to 5th, last, or 2nd-last to 5th-last', EXAMPLES.ordinal);
  }
  const weekdays = readWeekdayList(token);
  if (weekdays.ok) return { rule: { kind: 'weekly', interval: 1, weekdays: weekdays.items }, example: EXAMPLES.weekly };
  if (/^[a-z]+[,-]/.test(word)) fail(weekdays.item, 'expected weekday names like mon,tue,wed or a range like mon-fri', EXAMPLES.weekly);
  return fail(token, EXPECTED_AFTER_EVERY, EXAMPLES.ordinal);
}

/** `every 3 days`, `every 2 weeks on sat`. */
function readInterval(cursor: TokenCursor, numberToken: string): RuleReading {
  const unit = cursor.next();
  const interval = Number(numberToken);
  const fragment = unit === undefined ? numberToken : `${numberToken} ${unit}`;
  if (interval < 1 || interval > MAX_INTERVAL) {
    fail(fragment, `expected a repeat interval from 1 to ${MAX_INTERVAL}`, EXAMPLES.interval);
  }
  switch (unit?.toLowerCase()) {
    case 'day':
    case 'days':
      return { rule: { kind: 'daily', interval }, example: EXAMPLES.interval };
    case 'week':
    case 'weeks':
      cursor.accept('on');
      return { rule: { kind: 'weekly', interval, weekdays: readWeekdays(cursor) }, example: EXAMPLES.interval };
    default:
      return fail(fragment, 'expected "<n> days" or "<n> weeks on <weekdays>"', EXAMPLES.interval);
  }
}

function readWeekdays(cursor: TokenCursor): Weekday[] {
  const token = cursor.next();
  const weekdays = readWeekdayList(token ?? '');
  if (!weekdays.ok) {
    fail(token === undefined || !token.includes(',') ? (token ?? '') : weekdays.item,
      'expected weekday names like sat or mon,tue,wed or a range like mon-fri', EXAMPLES.interval);
  }
  return weekdays.items;
}

/** `2nd tue`, then `of <months>` and a `+2 days` shift in either order. */
function readOrdinalWeekday(cursor: TokenCursor, ordinalToken: string, ordinal: number): RuleReading {
  const weekdayToken = cursor.next();
  const weekday = weekdayOfWord(weekdayToken ?? '');
  if (weekday === undefined) {
    fail(weekdayToken ?? ordinalToken, 'expected a single weekday after the ordinal, like 2nd tue', EXAMPLES.ordinal);
  }
  let months: readonly Month[] | undefined;
  let offsetDays: number | undefined;
  for (;;) {
    if (months === undefined && cursor.accept('of')) {
      months = readMonths(cursor, EXAMPLES.ordinalMonths);
    } else if (offsetDays === undefined && /^[+-]\d/.test(cursor.peek() ?? '')) {
      offsetDays = readOffset(cursor);
    } else {
      break;
    }
  }
  const example = offsetDays === undefined ? (months === undefined ? EXAMPLES.ordinal : EXAMPLES.ordinalMonths) : EXAMPLES.offset;
  return { rule: { kind: 'monthly-weekday', ordinal, weekday, months: months ?? [], offsetDays: offsetDays ?? 0 }, example };
}

/** `+2 days`, `+2days`, `+2d`, `-1 day`. */
function readOffset(cursor: TokenCursor): number {
  const start = cursor.position;
  const match = /^([+-]\d+)(d|days?)?$/i.exec(cursor.next() ?? '');
  const unitInToken = match?.[2] !== undefined;
  const unitFollows = !unitInToken && (cursor.accept('day') || cursor.accept('days'));
  const fragment = cursor.since(start);
  if (match === null || (!unitInToken && !unitFollows)) {
    fail(fragment, 'expected a shift in whole days like +2 days or -1 day', EXAMPLES.offset);
  }
  const days = Number(match[1]);
  if (days === 0 || Math.abs(days) > MAX_OFFSET_DAYS) {
    fail(fragment, `expected a shift from 1 to ${MAX_OFFSET_DAYS} days, like +2 days`, EXAMPLES.offset);
  }
  return days;
}

/** After `of`: a month list, or `every month`. */
function readMonths(cursor: TokenCursor, example: string): Month[] {
  if (cursor.accept('every')) {
    if (!cursor.accept('month')) fail(`every ${cursor.peek() ?? ''}`.trim(), 'expected "every month"', example);
    return [];
  }
  const token = cursor.next();
  const months = readMonthList(token ?? '');
  if (!months.ok) {
    fail(token === undefined || !token.includes(',') ? (token ?? 'of') : months.item,
      'expected month names like jan,apr,jul,oct or "every month"', example);
  }
  return months.items;
}

/** `day 15 of every month`, `day -1 of jan,jul`. */
function readMonthDay(cursor: TokenCursor): RuleReading {
  const token = cursor.next();
  const day = /^-?\d{1,2}$/.test(token ?? '') ? Number(token) : Number.NaN;
  if (!(day >= 1 && day <= 31) && !(day <= -1 && day >= -31)) {
    fail(token ?? 'day', 'expected a day of the month from 1 to 31, or -1 (last day) to -31', EXAMPLES.monthDay);
  }
  if (!cursor.accept('of')) fail(cursor.peek() ?? `day ${token ?? ''}`, 'expected "of every month" or "of <months>" after the day', EXAMPLES.monthDay);
  return { rule: { kind: 'monthly-day', day, months: readMonths(cursor, EXAMPLES.monthDay) }, example: EXAMPLES.monthDay };
}

function readOnce(cursor: TokenCursor): RuleReading {
  const token = cursor.next();
  const day = parseIsoDate(token ?? '');
  if (day === undefined) fail(token ?? 'once', 'expected a date yyyy-mm-dd that exists in the calendar', EXAMPLES.once);
  return { rule: { kind: 'once', date: formatIsoDate(day) }, example: EXAMPLES.once };
}
