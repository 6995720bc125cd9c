// A grammar-aware fast-check arbitrary for valid schedule specs, written in the many surface
// forms the parser accepts (synonyms, case, spacing), so properties exercise the real grammar.
import fc from 'fast-check';

export const ZONES = [
  'UTC', 'Europe/Zurich', 'Europe/London', 'America/New_York', 'America/Santiago', 'Australia/Sydney',
  'Australia/Adelaide', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Asia/Kathmandu', 'Asia/Tokyo',
] as const;

const WEEKDAY_SPELLINGS = [
  ['mon', 'Monday', 'MON'], ['tue', 'tuesday', 'Tues'], ['wed', 'Wednesday', 'weds'], ['thu', 'thursday', 'THURS'],
  ['fri', 'Friday', 'fri'], ['sat', 'saturday', 'Sat'], ['sun', 'Sunday', 'sun'],
] as const;
const MONTH_SPELLINGS = [
  'jan', 'February', 'MAR', 'april', 'may', 'June', 'jul', 'August', 'sept', 'Oct', 'november', 'dec',
] as const;

const pad = (value: number): string => String(value).padStart(2, '0');

const weekdayWord = fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 2 }))
  .map(([day, spelling]) => WEEKDAY_SPELLINGS[day]?.[spelling] ?? 'mon');
const weekdayList = fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 })
  .chain((days) => fc.constantFrom(', ', ',').map((separator) => days.map((day) => WEEKDAY_SPELLINGS[day]?.[0] ?? 'mon').join(separator)));
const monthList = fc.uniqueArray(fc.integer({ min: 0, max: 11 }), { minLength: 1, maxLength: 12 })
  .map((months) => months.map((month) => MONTH_SPELLINGS[month] ?? 'jan').join(','));
const ordinal = fc.constantFrom('1st', '2nd', '3rd', '4th', '5th', 'last', '2nd-last', '3rd-last', 'first', 'second', 'Last');
const offset = fc.tuple(fc.integer({ min: -28, max: 28 }).filter((days) => days !== 0), fc.constantFrom(' days', 'd', ' day'))
  .map(([days, unit]) => `${days > 0 ? '+' : ''}${days}${unit}`);
const isoDate = fc.integer({ min: 0, max: 365 * 6 }).map((days) => new Date(Date.UTC(2024, 0, 1) + days * 86_400_000).toISOString().slice(0, 10));
const clock = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 1, 15, 30, 45, 59), fc.boolean())
  .map(([hour, minute, short]) => `${short ? String(hour) : pad(hour)}:${pad(minute)}`);
const duration = fc.integer({ min: 1, max: 7 * 24 * 60 }).chain((minutes) => fc.constantFrom(
  `${minutes}m`,
  `${Math.floor(minutes / 60) > 0 ? `${Math.floor(minutes / 60)}h` : ''}${minutes % 60 > 0 ? `${minutes % 60}m` : ''}`,
  `${minutes} minutes`,
));

interface RuleText {
  readonly text: string;
  /** Whether the rule needs a `starting` date (or COUNT/UNTIL are forbidden, for `once`). */
  readonly needsStarting: boolean;
  readonly once: boolean;
  readonly rrule: boolean;
}

const chat = (text: string, needsStarting = false): RuleText => ({ text, needsStarting, once: false, rrule: false });

const chatRule: fc.Arbitrary<RuleText> = fc.oneof(
  fc.constant(chat('every day')),
  fc.integer({ min: 1, max: 30 }).map((days) => chat(`every ${days} days`, days > 1)),
  weekdayList.map((days) => chat(`every ${days}`)),
  fc.tuple(fc.integer({ min: 1, max: 6 }), weekdayList, fc.boolean()).map(([weeks, days, on]) =>
    chat(`every ${weeks} ${weeks === 1 ? 'week' : 'weeks'}${on ? ' on' : ''} ${days}`, weeks > 1)),
  fc.tuple(ordinal, weekdayWord, fc.option(monthList), fc.option(offset)).map(([nth, day, months, shift]) =>
    chat(`every ${nth} ${day}${months === null ? '' : ` of ${months}`}${shift === null ? '' : ` ${shift}`}`)),
  fc.tuple(fc.integer({ min: -31, max: 31 }).filter((day) => day !== 0), fc.option(monthList)).map(([day, months]) =>
    chat(`day ${day} of ${months ?? 'every month'}`)),
  isoDate.map((date) => ({ text: `once ${date}`, needsStarting: false, once: true, rrule: false })),
);

const RFC_DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

const rrule: fc.Arbitrary<RuleText> = fc
  .record({
    freq: fc.constantFrom('DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'),
    interval: fc.integer({ min: 1, max: 4 }),
    days: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 3 }),
    nth: fc.option(fc.constantFrom(1, 2, 3, 4, 5, -1, -2)),
    monthDays: fc.uniqueArray(fc.integer({ min: -31, max: 31 }).filter((day) => day !== 0), { maxLength: 3 }),
    months: fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { maxLength: 4 }),
    setPos: fc.option(fc.constantFrom(1, 2, -1)),
    weekStart: fc.option(fc.constantFrom(...RFC_DAYS)),
    limit: fc.option(fc.oneof(fc.integer({ min: 1, max: 40 }).map((count) => `COUNT=${count}`), isoDate.map((date) => `UNTIL=${date.replaceAll('-', '')}`))),
  })
  .map(({ freq, interval, days, nth, monthDays, months, setPos, weekStart, limit }) => {
    const positional = freq === 'MONTHLY' || freq === 'YEARLY';
    const parts = [`FREQ=${freq}`];
    if (interval > 1) parts.push(`INTERVAL=${interval}`);
    if (days.length > 0) parts.push(`BYDAY=${days.map((day) => `${positional && nth !== null ? nth : ''}${RFC_DAYS[day] ?? 'MO'}`).join(',')}`);
    if (freq !== 'WEEKLY' && monthDays.length > 0) parts.push(`BYMONTHDAY=${monthDays.join(',')}`);
    if (months.length > 0) parts.push(`BYMONTH=${months.join(',')}`);
    if (setPos !== null && parts.length > 1 + (interval > 1 ? 1 : 0)) parts.push(`BYSETPOS=${setPos}`);
    if (weekStart !== null) parts.push(`WKST=${weekStart}`);
    if (limit !== null) parts.push(limit);
    return { text: `RRULE:${parts.join(';')}`, needsStarting: true, once: false, rrule: true };
  });

const timeClause = fc.oneof(
  fc.tuple(clock, clock, fc.constantFrom('-', ' - ', ' to ')).map(([start, end, separator]) => `${start}${separator}${end}`),
  fc.tuple(clock, duration).map(([start, length]) => `${start} for ${length}`),
);

/** A valid spec, plus the zone to pass as default (used when the spec names none). */
export const validSpec: fc.Arbitrary<{ spec: string; defaultZone: string }> = fc
  .record({
    rule: fc.oneof({ weight: 3, arbitrary: chatRule }, { weight: 1, arbitrary: rrule }),
    at: fc.boolean(),
    time: timeClause,
    starting: fc.option(isoDate),
    limit: fc.option(fc.oneof(fc.integer({ min: 1, max: 30 }).map((n) => `${n} times`), isoDate.map((date) => `until ${date}`))),
    zone: fc.option(fc.constantFrom(...ZONES)),
    defaultZone: fc.constantFrom(...ZONES),
  })
  .map(({ rule, at, time, starting, limit, zone, defaultZone }) => {
    const words = [rule.text, `${at || rule.rrule ? 'at ' : ''}${time}`];
    const chatLimit = rule.once || rule.rrule ? null : limit;
    let anchor = starting ?? (rule.needsStarting || chatLimit?.endsWith('times') === true ? '2025-06-01' : null);
    // `until` before `starting` is rejected, so keep the anchor no later than the until date.
    const until = /until (\S+)|UNTIL=(\d{4})(\d{2})(\d{2})/.exec(`${rule.text} ${chatLimit ?? ''}`);
    const untilDate = until === null ? null : (until[1] ?? `${until[2] ?? ''}-${until[3] ?? ''}-${until[4] ?? ''}`);
    if (anchor !== null && untilDate !== null && untilDate < anchor) anchor = untilDate;
    if (!rule.once && anchor !== null) words.push(`starting ${anchor}`);
    if (chatLimit !== null) words.push(chatLimit);
    if (zone !== null) words.push(zone);
    return { spec: words.join(' '), defaultZone };
  });

/** Instants to expand from: 2024–2030. */
export const fromInstant = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 11, 31) }).map((ms) => new Date(ms));
