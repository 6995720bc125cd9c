// RFC 5545 recurrence rules written inline: `RRULE:FREQ=MONTHLY;BYDAY=-1SU;BYMONTH=3,9`.
// Supported parts: FREQ (DAILY/WEEKLY/MONTHLY/YEARLY), INTERVAL, BYDAY, BYMONTHDAY, BYMONTH,
// BYSETPOS, COUNT, UNTIL, WKST. Parts that would pick times of day or need week numbering
// are rejected rather than ignored, so a rule never silently means something else.
import { formatIsoDate, pad2, parseIsoDate } from './calendar.ts';
import { MAX_COUNT, MAX_INTERVAL } from './limits.ts';
import { WEEKDAYS } from './model.ts';
import type { ByDay, Frequency, Month, Rule, Until, Weekday } from './model.ts';
import { weekdayIndex } from './names.ts';
import { EXAMPLES, fail } from './syntax-error.ts';

export type RruleRule = Extract<Rule, { kind: 'rrule' }>;

export interface RruleReading {
  readonly rule: RruleRule;
  readonly count: number | undefined;
  readonly until: Until | undefined;
}

const EXAMPLE = EXAMPLES.rrule;
const FREQUENCIES: ReadonlyMap<string, Frequency> = new Map([
  ['DAILY', 'daily'], ['WEEKLY', 'weekly'], ['MONTHLY', 'monthly'], ['YEARLY', 'yearly'],
]);
const RFC_WEEKDAYS: ReadonlyMap<string, Weekday> = new Map(
  (['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const).map((code, i) => [code, WEEKDAYS[i] ?? 'mon']),
);

export function isRruleToken(token: string): boolean {
  return /^(?:rrule:|freq=)/i.test(token);
}

interface Draft {
  freq?: Frequency;
  interval: number;
  byDay: ByDay[];
  byMonthDay: number[];
  byMonth: Month[];
  bySetPos: number[];
  weekStart: Weekday;
  count?: number;
  until?: Until;
}

/** Reads one RRULE token (no spaces inside; the tokenizer has already glued `; ` separators). */
export function readRrule(token: string): RruleReading {
  const body = token.replace(/^rrule:/i, '');
  const draft: Draft = { interval: 1, byDay: [], byMonthDay: [], byMonth: [], bySetPos: [], weekStart: 'mon' };
  const seen = new Map<string, string>();
  for (const part of body.split(';')) {
    const match = /^([a-z][a-z-]*)=(.+)$/i.exec(part);
    if (match?.[1] === undefined || match[2] === undefined) {
      fail(part === '' ? token : part, 'expected rule parts NAME=VALUE separated by ";"', EXAMPLE);
    }
    const name = match[1].toUpperCase();
    if (seen.has(name)) fail(part, `expected ${name} only once`, EXAMPLE);
    seen.set(name, part);
    readPart(draft, name, match[2].toUpperCase(), part);
  }
  return checkCombination(draft, seen, token);
}

function readPart(draft: Draft, name: string, value: string, part: string): void {
  switch (name) {
    case 'FREQ': {
      const freq = FREQUENCIES.get(value);
      if (freq === undefined) {
        fail(part, 'expected FREQ=DAILY, WEEKLY, MONTHLY or YEARLY (hourly and finer rules are not supported)', EXAMPLE);
      }
      draft.freq = freq;
      return;
    }
    case 'INTERVAL':
      draft.interval = integerIn(value, 1, MAX_INTERVAL, part);
      return;
    case 'COUNT':
      draft.count = integerIn(value, 1, MAX_COUNT, part);
      return;
    case 'BYMONTH':
      draft.byMonth = listOf(value, part, (item) => integerIn(item, 1, 12, part) as Month);
      return;
    case 'BYMONTHDAY':
      draft.byMonthDay = listOf(value, part, (item) => nonZeroIn(item, 31, part));
      return;
    case 'BYSETPOS':
      draft.bySetPos = listOf(value, part, (item) => nonZeroIn(item, 366, part));
      return;
    case 'BYDAY':
      draft.byDay = readByDay(value, part);
      return;
    case 'WKST':
      draft.weekStart = RFC_WEEKDAYS.get(value) ?? fail(part, 'expected WKST=MO, TU, WE, TH, FR, SA or SU', EXAMPLE);
      return;
    case 'UNTIL':
      draft.until = readUntil(value, part);
      return;
    case 'BYHOUR':
    case 'BYMINUTE':
    case 'BYSECOND':
      return fail(part, `${name} is not supported: the start time comes from "at HH:MM" after the rule`, EXAMPLE);
    case 'BYWEEKNO':
    case 'BYYEARDAY':
      return fail(part, `${name} is not supported: use BYMONTH, BYMONTHDAY, BYDAY or BYSETPOS`, EXAMPLE);
    default:
      return fail(
        part,
        'unknown rule part; supported: FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, COUNT, UNTIL, WKST',
        EXAMPLE,
      );
  }
}

function integerIn(value: string, lowest: number, highest: number, part: string): number {
  const number = /^[+-]?\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= lowest && number <= highest)) fail(part, `expected whole numbers from ${lowest} to ${highest}`, EXAMPLE);
  return number;
}

function nonZeroIn(value: string, limit: number, part: string): number {
  const number = /^[+-]?\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
  if (!(Math.abs(number) >= 1 && Math.abs(number) <= limit)) {
    fail(part, `expected whole numbers from 1 to ${limit} or -1 to -${limit}`, EXAMPLE);
  }
  return number;
}

/** Comma list, sorted for a canonical form; repeats are mistakes and are rejected. */
function listOf<T extends number>(value: string, part: string, read: (item: string) => T): T[] {
  const items = value.split(',').map(read);
  if (new Set(items).size !== items.length) fail(part, 'expected each value only once', EXAMPLE);
  return items.sort((a, b) => a - b);
}

function readByDay(value: string, part: string): ByDay[] {
  const picks = value.split(',').map((item): ByDay => {
    const match = /^([+-]?\d{1,2})?([A-Z]{2})$/.exec(item);
    const weekday = RFC_WEEKDAYS.get(match?.[2] ?? '');
    const ordinal = match?.[1] === undefined ? undefined : Number(match[1]);
    if (weekday === undefined || ordinal === 0) {
      fail(part, 'expected weekdays MO…SU, optionally with a position like 2TU or -1SU', EXAMPLE);
    }
    return ordinal === undefined ? { weekday } : { weekday, ordinal };
  });
  const keys = picks.map((pick) => `${pick.weekday}${String(pick.ordinal)}`);
  if (new Set(keys).size !== keys.length) fail(part, 'expected each weekday only once', EXAMPLE);
  return picks.sort((a, b) => weekdayIndex(a.weekday) - weekdayIndex(b.weekday) || (a.ordinal ?? 0) - (b.ordinal ?? 0));
}

/** UNTIL=20271231 (a local date) or UNTIL=20271231T235959Z (a UTC instant). */
function readUntil(value: string, part: string): Until {
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$/.exec(value);
  const day = match === null ? undefined : parseIsoDate(`${match[1] ?? ''}-${match[2] ?? ''}-${match[3] ?? ''}`);
  if (match === null || day === undefined) {
    fail(part, 'expected UNTIL as a date (20271231) or a UTC time (20271231T235959Z)', EXAMPLE);
  }
  const date = formatIsoDate(day);
  if (match[4] === undefined) return { kind: 'date', date };
  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6])];
  if (hour > 23 || minute > 59 || second > 59) {
    fail(part, 'expected UNTIL as a date (20271231) or a UTC time (20271231T235959Z)', EXAMPLE);
  }
  return { kind: 'instant', instant: `${date}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}Z` };
}

/** Rules RFC 5545 places on combinations of parts, plus the ranges our engine supports. */
function checkCombination(draft: Draft, seen: ReadonlyMap<string, string>, token: string): RruleReading {
  const { freq } = draft;
  if (freq === undefined) fail(token, 'expected FREQ=DAILY, WEEKLY, MONTHLY or YEARLY in the rule', EXAMPLE);
  const byDayPart = seen.get('BYDAY') ?? '';
  const ordinals = draft.byDay.flatMap((pick) => (pick.ordinal === undefined ? [] : [Math.abs(pick.ordinal)]));
  if (ordinals.length > 0 && (freq === 'daily' || freq === 'weekly')) {
    fail(byDayPart, 'expected BYDAY without positions (like TU) when FREQ is DAILY or WEEKLY', EXAMPLE);
  }
  const maxOrdinal = freq === 'yearly' && draft.byMonth.length === 0 ? 53 : 5;
  if (ordinals.some((ordinal) => ordinal > maxOrdinal)) {
    fail(byDayPart, `expected BYDAY positions from 1 to ${maxOrdinal} or -1 to -${maxOrdinal}`, EXAMPLE);
  }
  if (freq === 'weekly' && draft.byMonthDay.length > 0) {
    fail(seen.get('BYMONTHDAY') ?? token, 'expected no BYMONTHDAY when FREQ=WEEKLY', EXAMPLE);
  }
  if (draft.bySetPos.length > 0 && draft.byDay.length + draft.byMonthDay.length + draft.byMonth.length === 0) {
    fail(seen.get('BYSETPOS') ?? token, 'expected BYSETPOS together with BYDAY, BYMONTHDAY or BYMONTH', EXAMPLE);
  }
  if (draft.count !== undefined && draft.until !== undefined) {
    fail(token, 'expected COUNT or UNTIL, not both', EXAMPLE);
  }
  const rule: RruleRule = {
    kind: 'rrule',
    freq,
    interval: draft.interval,
    byDay: draft.byDay,
    byMonthDay: draft.byMonthDay,
    byMonth: draft.byMonth,
    bySetPos: draft.bySetPos,
    weekStart: draft.weekStart,
  };
  return { rule, count: draft.count, until: draft.until };
}

/** True when the rule's BY-parts fix the dates without DTSTART's day, weekday or month. */
export function rrulePinsDay(rule: RruleRule): boolean {
  switch (rule.freq) {
    case 'daily':
      return true;
    case 'weekly':
      return rule.byDay.length > 0;
    case 'monthly':
    case 'yearly':
      return rule.byDay.length > 0 || rule.byMonthDay.length > 0;
  }
}

const RFC_CODES: Readonly<Record<Weekday, string>> = {
  mon: 'MO', tue: 'TU', wed: 'WE', thu: 'TH', fri: 'FR', sat: 'SA', sun: 'SU',
};

/** Canonical RRULE text; part order follows the usual FREQ;INTERVAL;BYDAY;BYMONTHDAY;BYMONTH;… */
export function formatRrule(rule: RruleRule, count: number | undefined, until: Until | undefined): string {
  const parts = [`FREQ=${rule.freq.toUpperCase()}`];
  if (rule.interval !== 1) parts.push(`INTERVAL=${rule.interval}`);
  if (rule.byDay.length > 0) {
    parts.push(`BYDAY=${rule.byDay.map((pick) => `${pick.ordinal ?? ''}${RFC_CODES[pick.weekday]}`).join(',')}`);
  }
  if (rule.byMonthDay.length > 0) parts.push(`BYMONTHDAY=${rule.byMonthDay.join(',')}`);
  if (rule.byMonth.length > 0) parts.push(`BYMONTH=${rule.byMonth.join(',')}`);
  if (rule.bySetPos.length > 0) parts.push(`BYSETPOS=${rule.bySetPos.join(',')}`);
  if (rule.weekStart !== 'mon') parts.push(`WKST=${RFC_CODES[rule.weekStart]}`);
  if (count !== undefined) parts.push(`COUNT=${count}`);
  if (until !== undefined) parts.push(`UNTIL=${formatUntil(until)}`);
  return `RRULE:${parts.join(';')}`;
}

function formatUntil(until: Until): string {
  if (until.kind === 'date') return until.date.replaceAll('-', '');
  return until.instant.replaceAll('-', '').replaceAll(':', '');
}

