// Weekday, month and ordinal words accepted in specs, and the short forms the canonical printer uses.
import { WEEKDAYS } from './model.ts';
import type { Month, Weekday } from './model.ts';

// Maps, not object literals: user words like `constructor` must not hit Object.prototype.
const WEEKDAY_WORDS: ReadonlyMap<string, Weekday> = wordMap({
  mon: 'mon', monday: 'mon', mondays: 'mon',
  tue: 'tue', tues: 'tue', tuesday: 'tue', tuesdays: 'tue',
  wed: 'wed', weds: 'wed', wednesday: 'wed', wednesdays: 'wed',
  thu: 'thu', thur: 'thu', thurs: 'thu', thursday: 'thu', thursdays: 'thu',
  fri: 'fri', friday: 'fri', fridays: 'fri',
  sat: 'sat', saturday: 'sat', saturdays: 'sat',
  sun: 'sun', sunday: 'sun', sundays: 'sun',
});

/** Words that stand for several weekdays at once in a weekday list. */
const WEEKDAY_GROUPS: ReadonlyMap<string, readonly Weekday[]> = wordMap({
  weekday: ['mon', 'tue', 'wed', 'thu', 'fri'],
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
  weekend: ['sat', 'sun'],
  weekends: ['sat', 'sun'],
});

const MONTH_WORDS: ReadonlyMap<string, Month> = wordMap({
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5,
  jun: 6, june: 6, jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9,
  oct: 10, october: 10, nov: 11, november: 11, dec: 12, december: 12,
});

export const MONTH_SHORT_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;

const ORDINAL_WORDS: ReadonlyMap<string, number> = wordMap({
  '1st': 1, first: 1, '2nd': 2, second: 2, '3rd': 3, third: 3, '4th': 4, fourth: 4, '5th': 5, fifth: 5,
  last: -1,
});

function wordMap<T>(entries: Record<string, T>): ReadonlyMap<string, T> {
  return new Map(Object.entries(entries));
}

export function weekdayOfWord(word: string): Weekday | undefined {
  return WEEKDAY_WORDS.get(word.toLowerCase());
}

export function weekdayIndex(weekday: Weekday): number {
  return WEEKDAYS.indexOf(weekday);
}

export function monthOfWord(word: string): Month | undefined {
  return MONTH_WORDS.get(word.toLowerCase());
}

/** `2nd` → 2, `last` → -1, `2nd-last` → -2 (up to `5th-last`). */
export function ordinalOfWord(word: string): number | undefined {
  const lower = word.toLowerCase();
  const fromEnd = /^(.+)-last$/.exec(lower);
  if (fromEnd?.[1] !== undefined) {
    const position = ORDINAL_WORDS.get(fromEnd[1]);
    return position !== undefined && position > 0 ? -position : undefined;
  }
  return ORDINAL_WORDS.get(lower);
}

export function ordinalWord(ordinal: number): string {
  if (ordinal === -1) return 'last';
  if (ordinal < 0) return `${ordinalWord(-ordinal)}-last`;
  const suffix = ordinal === 1 ? 'st' : ordinal === 2 ? 'nd' : ordinal === 3 ? 'rd' : 'th';
  return `${ordinal}${suffix}`;
}

export type ListResult<T> = { readonly ok: true; readonly items: T[] } | { readonly ok: false; readonly item: string };

/**
 * Reads a comma list of names with optional ranges (`mon-fri`, `nov-feb` wraps around) into
 * items sorted in calendar order. Fails on the first unreadable or repeated item.
 */
function readNameList<T>(
  text: string,
  order: readonly T[],
  nameOf: (word: string) => T | undefined,
  groupOf: (word: string) => readonly T[] | undefined,
): ListResult<T> {
  const chosen = new Set<T>();
  for (const item of text.split(',')) {
    const items = readListItem(item, order, nameOf, groupOf);
    if (items === undefined || items.some((each) => chosen.has(each))) return { ok: false, item };
    for (const each of items) chosen.add(each);
  }
  return { ok: true, items: order.filter((each) => chosen.has(each)) };
}

function readListItem<T>(
  item: string,
  order: readonly T[],
  nameOf: (word: string) => T | undefined,
  groupOf: (word: string) => readonly T[] | undefined,
): readonly T[] | undefined {
  const single = nameOf(item);
  if (single !== undefined) return [single];
  const group = groupOf(item.toLowerCase());
  if (group !== undefined) return group;
  const range = /^([a-z]+)-([a-z]+)$/i.exec(item);
  if (range?.[1] === undefined || range[2] === undefined) return undefined;
  const first = nameOf(range[1]);
  const last = nameOf(range[2]);
  if (first === undefined || last === undefined || first === last) return undefined;
  const start = order.indexOf(first);
  const length = ((order.indexOf(last) - start + order.length) % order.length) + 1;
  return Array.from({ length }, (_, step) => order[(start + step) % order.length]).filter((each) => each !== undefined);
}

export function readWeekdayList(text: string): ListResult<Weekday> {
  return readNameList(text, WEEKDAYS, weekdayOfWord, (word) => WEEKDAY_GROUPS.get(word));
}

const MONTHS: readonly Month[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

export function readMonthList(text: string): ListResult<Month> {
  return readNameList(text, MONTHS, monthOfWord, () => undefined);
}

export function monthShortName(month: Month): string {
  return MONTH_SHORT_NAMES[month - 1] ?? String(month);
}
