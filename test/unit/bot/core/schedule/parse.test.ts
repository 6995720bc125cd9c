import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSchedule } from '../../../../../bot/core/schedule/index.ts';
import type { Schedule } from '../../../../../bot/core/schedule/index.ts';
import { parsed } from './support.ts';

const hhmm = (hour: number, minute = 0): { hour: number; minute: number } => ({ hour, minute });

describe('parseSchedule: the documented examples', () => {
  it.each<[string, Schedule]>([
    ['every day 02:00-05:00 Europe/Zurich', {
      rule: { kind: 'daily', interval: 1 }, start: hhmm(2), end: { kind: 'clock', time: hhmm(5) }, zone: 'Europe/Zurich',
    }],
    ['every mon,tue,wed,thu,fri 14:00-17:00 Europe/Zurich', {
      rule: { kind: 'weekly', interval: 1, weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] },
      start: hhmm(14), end: { kind: 'clock', time: hhmm(17) }, zone: 'Europe/Zurich',
    }],
    ['every 2nd tue 14:00-17:00 Europe/Zurich', {
      rule: { kind: 'monthly-weekday', ordinal: 2, weekday: 'tue', months: [], offsetDays: 0 },
      start: hhmm(14), end: { kind: 'clock', time: hhmm(17) }, zone: 'Europe/Zurich',
    }],
    ['every 2nd tue of jan,apr,jul,oct 14:00-17:00 Europe/Zurich', {
      rule: { kind: 'monthly-weekday', ordinal: 2, weekday: 'tue', months: [1, 4, 7, 10], offsetDays: 0 },
      start: hhmm(14), end: { kind: 'clock', time: hhmm(17) }, zone: 'Europe/Zurich',
    }],
    ['every last fri 22:00 for 4h UTC', {
      rule: { kind: 'monthly-weekday', ordinal: -1, weekday: 'fri', months: [], offsetDays: 0 },
      start: hhmm(22), end: { kind: 'duration', minutes: 240 }, zone: 'UTC',
    }],
    ['every 2nd tue +2 days 01:00 for 3h America/New_York', {
      rule: { kind: 'monthly-weekday', ordinal: 2, weekday: 'tue', months: [], offsetDays: 2 },
      start: hhmm(1), end: { kind: 'duration', minutes: 180 }, zone: 'America/New_York',
    }],
    ['day 15 of every month 01:00 for 3h Asia/Tokyo', {
      rule: { kind: 'monthly-day', day: 15, months: [] }, start: hhmm(1), end: { kind: 'duration', minutes: 180 }, zone: 'Asia/Tokyo',
    }],
    ['every sat 23:00-03:00 Europe/London', {
      rule: { kind: 'weekly', interval: 1, weekdays: ['sat'] }, start: hhmm(23), end: { kind: 'clock', time: hhmm(3) }, zone: 'Europe/London',
    }],
    ['RRULE:FREQ=MONTHLY;BYDAY=-1SU;BYMONTH=3,9 at 01:00 for 2h Australia/Sydney', {
      rule: {
        kind: 'rrule', freq: 'monthly', interval: 1, byDay: [{ weekday: 'sun', ordinal: -1 }], byMonthDay: [], byMonth: [3, 9],
        bySetPos: [], weekStart: 'mon',
      },
      start: hhmm(1), end: { kind: 'duration', minutes: 120 }, zone: 'Australia/Sydney',
    }],
    ['every 2 weeks on sat 01:00 for 6h starting 2026-12-05 UTC', {
      rule: { kind: 'weekly', interval: 2, weekdays: ['sat'] }, start: hhmm(1), end: { kind: 'duration', minutes: 360 }, zone: 'UTC',
      starting: '2026-12-05',
    }],
    ['once 2026-12-24 02:00 for 2h Europe/Berlin', {
      rule: { kind: 'once', date: '2026-12-24' }, start: hhmm(2), end: { kind: 'duration', minutes: 120 }, zone: 'Europe/Berlin',
    }],
  ])('%s', (text, schedule) => {
    expect(parseSchedule(text, { defaultZone: 'Europe/Zurich' })).toEqual({ ok: true, schedule });
  });

  it('produces JSON-serialisable values', () => {
    const schedule = parsed('RRULE:FREQ=MONTHLY;BYDAY=-1SU;BYMONTH=3,9;COUNT=4 at 01:00 for 2h starting 2026-01-01 Australia/Sydney');
    expect(JSON.parse(JSON.stringify(schedule))).toEqual(schedule);
  });
});

describe('parseSchedule: times, trailers and zones', () => {
  it.each([
    ['every day at 02:00-05:00 UTC', { kind: 'clock', time: hhmm(5) }],
    ['every day 02:00 - 05:00 UTC', { kind: 'clock', time: hhmm(5) }],
    ['every day 02:00 to 05:00 UTC', { kind: 'clock', time: hhmm(5) }],
    ['every day 2:00-5:30 UTC', { kind: 'clock', time: hhmm(5, 30) }],
    ['every day 22:00-00:00 UTC', { kind: 'clock', time: hhmm(0) }],
    ['every day 02:00 for 90m UTC', { kind: 'duration', minutes: 90 }],
    ['every day 02:00 for 1h30m UTC', { kind: 'duration', minutes: 90 }],
    ['every day 02:00 for 7d UTC', { kind: 'duration', minutes: 10_080 }],
  ])('%s', (text, end) => {
    expect(parsed(text).end).toEqual(end);
  });

  it('uses the default zone when none is given, with canonical capitalisation', () => {
    expect(parsed('every day 02:00-05:00', 'europe/zurich').zone).toBe('Europe/Zurich');
    expect(parsed('every day 02:00-05:00 america/new_york').zone).toBe('America/New_York');
    expect(parsed('every day 02:00-05:00 utc').zone).toBe('UTC');
  });

  it('rejects a bad default zone only when it is needed', () => {
    expect(parseSchedule('every day 02:00-05:00 UTC', { defaultZone: 'Nowhere/Land' }).ok).toBe(true);
    const result = parseSchedule('every day 02:00-05:00', { defaultZone: 'Nowhere/Land' });
    expect(result.ok ? '' : result.error.message).toContain('"Nowhere/Land"');
  });

  it('reads starting, until and times in any order', () => {
    expect(parsed('every day 02:00-05:00 until 2027-06-30 starting 2026-12-01 Europe/Zurich')).toMatchObject({
      starting: '2026-12-01', until: { kind: 'date', date: '2027-06-30' },
    });
    expect(parsed('every day 02:00-05:00 10 times starting 2026-12-01')).toMatchObject({ starting: '2026-12-01', count: 10 });
    expect(parsed('every day 02:00-05:00 until 2027-06-30T12:00:00Z').until).toEqual({ kind: 'instant', instant: '2027-06-30T12:00:00Z' });
  });

  it('omits optional fields that were not given', () => {
    expect(Object.keys(parsed('every day 02:00-05:00'))).toEqual(['rule', 'start', 'end', 'zone']);
  });

  it('accepts `starting` as a plain lower bound on rules that do not need it', () => {
    expect(parsed('every 2nd tue 14:00-17:00 starting 2026-06-01').starting).toBe('2026-06-01');
  });
});

describe('parseSchedule: anchor dates', () => {
  it.each([
    ['every 2 weeks on sat 01:00 for 6h UTC', '"every 2 weeks"'],
    ['every 3 days 01:00 for 6h UTC', '"every 3 days"'],
    ['every day 02:00-05:00 10 times UTC', 'counting occurrences'],
    ['RRULE:FREQ=DAILY;INTERVAL=2 at 01:00 for 1h UTC', 'INTERVAL=2'],
    ['RRULE:FREQ=DAILY;COUNT=5 at 01:00 for 1h UTC', 'counting occurrences'],
    ['RRULE:FREQ=MONTHLY at 01:00 for 1h UTC', 'FREQ=MONTHLY without BYDAY or BYMONTHDAY'],
    ['RRULE:FREQ=WEEKLY at 01:00 for 1h UTC', 'FREQ=WEEKLY without BYDAY'],
    ['RRULE:FREQ=YEARLY;BYMONTH=6 at 01:00 for 1h UTC', 'FREQ=YEARLY without BYDAY or BYMONTHDAY'],
  ])('%s needs `starting`', (text, reason) => {
    const result = parseSchedule(text, { defaultZone: 'UTC' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.message).toContain('expected "starting yyyy-mm-dd"');
      expect(result.error.message).toContain(reason);
      expect(result.error.example).toBe('every 2 weeks on sat 01:00 for 6h starting 2026-12-05 UTC');
    }
  });

  it.each([
    'every 2 weeks on sat 01:00 for 6h starting 2026-12-05 UTC',
    'RRULE:FREQ=MONTHLY at 01:00 for 1h starting 2026-01-15 UTC',
    'RRULE:FREQ=DAILY;COUNT=5 at 01:00 for 1h starting 2026-01-15 UTC',
    'every 1 weeks on sat 01:00 for 6h UTC',
  ])('%s is complete', (text) => {
    expect(parseSchedule(text, { defaultZone: 'UTC' }).ok).toBe(true);
  });
});

/** [spec, the fragment the message must quote]. Every one must be rejected, never thrown on. */
const MALFORMED: readonly (readonly [string, string])[] = [
  // empty or unknown beginnings
  ['', ''],
  ['   ', ''],
  ['daily 02:00-05:00', 'daily'],
  ['each day 02:00-05:00', 'each'],
  ['weekly on sat 01:00 for 1h', 'weekly'],
  ['at 02:00 every day', 'at'],
  ['02:00-05:00 every day', '02:00-05:00'],
  ['every', 'every'],
  ['every 02:00-05:00', '02:00-05:00'],
  ['every fortnight 02:00-05:00', 'fortnight'],
  ['every moon 02:00-05:00', 'moon'],
  ['every mon,tuu 02:00-05:00', 'tuu'],
  ['every mon,mon 02:00-05:00', 'mon'],
  ['every mon, 02:00-05:00', '02:00-05:00'],
  ['every mon-mon 02:00-05:00', 'mon-mon'],
  ['every day day 02:00-05:00', 'day'],
  ['every days 02:00-05:00', 'days'],
  ['every week 02:00-05:00', '02:00-05:00'],
  ['every week on 02:00-05:00', '02:00-05:00'],
  ['every 0 days 02:00-05:00', '0 days'],
  ['every 367 days 02:00-05:00 starting 2026-01-01', '367 days'],
  ['every 2 months 02:00-05:00', '2 months'],
  ['every 2 02:00-05:00', '2 02:00-05:00'],
  ['every 2', '2'],
  ['every 2 weeks on 02:00', '02:00'],
  ['every 2 weeks on someday 02:00 for 1h', 'someday'],
  ['every -1 days 02:00-05:00', '-1'],
  ['every 1.5 days 02:00-05:00', '1.5'],
  // ordinals
  ['every 6th tue 14:00-17:00', '6th'],
  ['every 0th tue 14:00-17:00', '0th'],
  ['every 2nd 14:00-17:00', '14:00-17:00'],
  ['every 2nd', '2nd'],
  ['every 2nd tue,wed 14:00-17:00', 'tue,wed'],
  ['every 2nd month 14:00-17:00', 'month'],
  ['every last 14:00-17:00', '14:00-17:00'],
  ['every 2nd-first tue 14:00-17:00', '2nd-first'],
  ['every 2nd tue of 14:00-17:00', '14:00-17:00'],
  ['every 2nd tue of smarch 14:00-17:00', 'smarch'],
  ['every 2nd tue of jan,jan 14:00-17:00', 'jan'],
  ['every 2nd tue of jan,foo 14:00-17:00', 'foo'],
  ['every 2nd tue of every 14:00-17:00', 'every 14:00-17:00'],
  ['every 2nd tue of every year 14:00-17:00', 'every year'],
  ['every 2nd tue of jan of feb 14:00-17:00', 'of'],
  ['every 2nd tue +2 01:00 for 3h', '+2'],
  ['every 2nd tue +0 days 01:00 for 3h', '+0 days'],
  ['every 2nd tue +29 days 01:00 for 3h', '+29 days'],
  ['every 2nd tue +2 weeks 01:00 for 3h', '+2'],
  ['every 2nd tue +2 days +1 day 01:00 for 3h', '+1'],
  ['every 2nd tue +2x 01:00 for 3h', '+2x'],
  ['every 2nd tue ++2 days 01:00 for 3h', '++2'],
  // month days
  ['day 0 of every month 01:00 for 3h', '0'],
  ['day 32 of every month 01:00 for 3h', '32'],
  ['day -32 of every month 01:00 for 3h', '-32'],
  ['day 015 of every month 01:00 for 3h', '015'],
  ['day fifteen of every month 01:00 for 3h', 'fifteen'],
  ['day 15 every month 01:00 for 3h', 'every'],
  ['day 15 of month 01:00 for 3h', 'month'],
  ['day 15 of every 01:00 for 3h', 'every 01:00'],
  ['day 15 of every week 01:00 for 3h', 'every week'],
  ['day 15', 'day 15'],
  ['day', 'day'],
  ['day 1.5 of every month 01:00 for 3h', '1.5'],
  // once
  ['once 01:00 for 2h', '01:00'],
  ['once 2026-02-30 01:00 for 2h', '2026-02-30'],
  ['once 2026-12-24', 'once 2026-12-24'],
  ['once tomorrow 02:00 for 2h', 'tomorrow'],
  ['once 24.12.2026 02:00 for 2h', '24.12.2026'],
  ['once 2026-12-24 02:00 for 2h starting 2026-12-01 UTC', 'starting 2026-12-01'],
  ['once 2026-12-24 02:00 for 2h 3 times UTC', '3 times'],
  ['once 2026-12-24 02:00 for 2h until 2027-01-01 UTC', 'until 2027-01-01'],
  // times
  ['every day', 'every day'],
  ['every day Europe/Zurich', 'Europe/Zurich'],
  ['every day 02:00', '02:00'],
  ['every day 02:00 Europe/Zurich', '02:00 Europe/Zurich'],
  ['every day 2am-5am', '2am-5am'],
  ['every day 02:00-05', '02:00-05'],
  ['every day 14:00-25:00 Europe/Zurich', '14:00-25:00'],
  ['every day 24:00-02:00', '24:00-02:00'],
  ['every day 02:60-05:00', '02:60-05:00'],
  ['every day 02:00-05:00-06:00', '02:00-05:00-06:00'],
  ['every day 02:00 to', '02:00 to'],
  ['every day 02:00 to 5pm', '5pm'],
  ['every day 0200-0500', '0200-0500'],
  ['every day at at 02:00-05:00', 'at'],
  ['every day noon for 1h', 'noon'],
  // durations
  ['every day 02:00 for', 'for'],
  ['every day 02:00 for UTC', 'UTC'],
  ['every day 02:00 for 0m', '0m'],
  ['every day 02:00 for 8d', '8d'],
  ['every day 02:00 for 169h', '169h'],
  ['every day 02:00 for 3x', '3x'],
  ['every day 02:00 for 30m1h', '30m1h'],
  ['every day 02:00 for 0.5m', '0.5m'],
  ['every day 02:00 for -3h', '-3h'],
  ['every day 02:00 for 3 weeks', '3'],
  ['every day 02:00 for 3h 05:00', '05:00'],
  // trailers
  ['every day 02:00-05:00 Europe/Zurch', 'Europe/Zurch'],
  ['every day 02:00-05:00 Mars/Olympus', 'Mars/Olympus'],
  ['every day 02:00-05:00 CEST', 'CEST'],
  ['every day 02:00-05:00 +02:00', '+02:00'],
  ['every day 02:00-05:00 UTC UTC', 'UTC'],
  ['every day 02:00-05:00 UTC please', 'please'],
  ['every day 02:00-05:00 Europe/Zurich starting 2026-01-01', 'starting 2026-01-01'],
  ['every day 02:00-05:00 please', 'please'],
  ['every day 02:00-05:00 starting', 'starting'],
  ['every day 02:00-05:00 starting tomorrow', 'starting tomorrow'],
  ['every day 02:00-05:00 starting 2026-02-29', 'starting 2026-02-29'],
  ['every day 02:00-05:00 starting 2026-01-01 starting 2026-02-01', 'starting 2026-02-01'],
  ['every day 02:00-05:00 until', 'until'],
  ['every day 02:00-05:00 until never', 'until never'],
  ['every day 02:00-05:00 until 2027-06-30T12:00:00', 'until 2027-06-30T12:00:00'],
  ['every day 02:00-05:00 until 2027-06-31', 'until 2027-06-31'],
  ['every day 02:00-05:00 starting 2026-01-01 0 times', '0 times'],
  ['every day 02:00-05:00 starting 2026-01-01 10001 times', '10001 times'],
  ['every day 02:00-05:00 starting 2026-01-01 10 times until 2027-01-01', 'until 2027-01-01'],
  ['every day 02:00-05:00 times', 'times'],
  ['every day 02:00-05:00 starting 2027-01-01 until 2026-12-31', 'until 2026-12-31'],
  ['RRULE:FREQ=DAILY;UNTIL=20261231 at 01:00 for 1h starting 2027-01-01', 'RRULE:FREQ=DAILY;UNTIL=20261231'],
  ['every day 02:00-05:00 10', '10'],
  // RRULE
  ['RRULE: at 01:00 for 1h', 'at'],
  ['RRULE:FREQ at 01:00 for 1h', 'FREQ'],
  ['RRULE:FREQ= at 01:00 for 1h', 'FREQ='],
  ['RRULE:FREQ=FORTNIGHTLY at 01:00 for 1h', 'FREQ=FORTNIGHTLY'],
  ['RRULE:FREQ=HOURLY at 01:00 for 1h', 'FREQ=HOURLY'],
  ['RRULE:BYDAY=MO at 01:00 for 1h', 'RRULE:BYDAY=MO'],
  ['RRULE:FREQ=DAILY;FREQ=WEEKLY at 01:00 for 1h', 'FREQ=WEEKLY'],
  ['RRULE:FREQ=DAILY;;BYDAY=MO at 01:00 for 1h', 'RRULE:FREQ=DAILY;;BYDAY=MO'],
  ['RRULE:FREQ=DAILY; at 01:00 for 1h', 'at'],
  ['RRULE:FREQ=DAILY;', 'RRULE:FREQ=DAILY;'],
  ['RRULE:FREQ=DAILY;INTERVAL=0 at 01:00 for 1h', 'INTERVAL=0'],
  ['RRULE:FREQ=DAILY;INTERVAL=x at 01:00 for 1h', 'INTERVAL=x'],
  ['RRULE:FREQ=DAILY;INTERVAL=367 at 01:00 for 1h starting 2026-01-01', 'INTERVAL=367'],
  ['RRULE:FREQ=MONTHLY;BYDAY=XX at 01:00 for 1h', 'BYDAY=XX'],
  ['RRULE:FREQ=MONTHLY;BYDAY=0MO at 01:00 for 1h', 'BYDAY=0MO'],
  ['RRULE:FREQ=MONTHLY;BYDAY=6MO at 01:00 for 1h', 'BYDAY=6MO'],
  ['RRULE:FREQ=YEARLY;BYDAY=54MO at 01:00 for 1h', 'BYDAY=54MO'],
  ['RRULE:FREQ=MONTHLY;BYDAY=MO,MO at 01:00 for 1h', 'BYDAY=MO,MO'],
  ['RRULE:FREQ=WEEKLY;BYDAY=2MO at 01:00 for 1h', 'BYDAY=2MO'],
  ['RRULE:FREQ=DAILY;BYDAY=-1FR at 01:00 for 1h', 'BYDAY=-1FR'],
  ['RRULE:FREQ=MONTHLY;BYMONTHDAY=0 at 01:00 for 1h', 'BYMONTHDAY=0'],
  ['RRULE:FREQ=MONTHLY;BYMONTHDAY=32 at 01:00 for 1h', 'BYMONTHDAY=32'],
  ['RRULE:FREQ=MONTHLY;BYMONTHDAY=1,1 at 01:00 for 1h', 'BYMONTHDAY=1,1'],
  ['RRULE:FREQ=WEEKLY;BYDAY=MO;BYMONTHDAY=1 at 01:00 for 1h', 'BYMONTHDAY=1'],
  ['RRULE:FREQ=YEARLY;BYMONTH=13 at 01:00 for 1h', 'BYMONTH=13'],
  ['RRULE:FREQ=YEARLY;BYMONTH=0 at 01:00 for 1h', 'BYMONTH=0'],
  ['RRULE:FREQ=YEARLY;BYMONTH=JAN at 01:00 for 1h', 'BYMONTH=JAN'],
  ['RRULE:FREQ=MONTHLY;BYSETPOS=1 at 01:00 for 1h', 'BYSETPOS=1'],
  ['RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0 at 01:00 for 1h', 'BYSETPOS=0'],
  ['RRULE:FREQ=DAILY;COUNT=0 at 01:00 for 1h starting 2026-01-01', 'COUNT=0'],
  ['RRULE:FREQ=DAILY;COUNT=10001 at 01:00 for 1h starting 2026-01-01', 'COUNT=10001'],
  ['RRULE:FREQ=DAILY;COUNT=3;UNTIL=20270101 at 01:00 for 1h starting 2026-01-01', 'RRULE:FREQ=DAILY;COUNT=3;UNTIL=20270101'],
  ['RRULE:FREQ=DAILY;UNTIL=2027-01-01 at 01:00 for 1h', 'UNTIL=2027-01-01'],
  ['RRULE:FREQ=DAILY;UNTIL=20270101T120000 at 01:00 for 1h', 'UNTIL=20270101T120000'],
  ['RRULE:FREQ=DAILY;UNTIL=20270230 at 01:00 for 1h', 'UNTIL=20270230'],
  ['RRULE:FREQ=DAILY;UNTIL=20270101T250000Z at 01:00 for 1h', 'UNTIL=20270101T250000Z'],
  ['RRULE:FREQ=DAILY;WKST=XX at 01:00 for 1h', 'WKST=XX'],
  ['RRULE:FREQ=DAILY;BYHOUR=1 at 01:00 for 1h', 'BYHOUR=1'],
  ['RRULE:FREQ=DAILY;BYWEEKNO=1 at 01:00 for 1h', 'BYWEEKNO=1'],
  ['RRULE:FREQ=DAILY;BYYEARDAY=1 at 01:00 for 1h', 'BYYEARDAY=1'],
  ['RRULE:FREQ=DAILY;DTSTART=20260101 at 01:00 for 1h', 'DTSTART=20260101'],
  ['RRULE:FREQ=DAILY;X-NAME=1 at 01:00 for 1h', 'X-NAME=1'],
  ['RRULE:FREQ=DAILY', 'RRULE:FREQ=DAILY'],
  ['RRULE:FREQ=DAILY at 01:00', '01:00'],
  ['RRULE:FREQ=DAILY at 01:00 for 1h until 2027-01-01', 'until 2027-01-01'],
  ['RRULE:FREQ=DAILY at 01:00 for 1h starting 2026-01-01 5 times', '5 times'],
  ['RRULE:FREQ=DAILY RRULE:FREQ=WEEKLY at 01:00 for 1h', 'RRULE:FREQ=WEEKLY'],
  ['FREQ=DAILY;BYDAY=MO;BYDAY=TU at 01:00 for 1h', 'BYDAY=TU'],
];

describe('parseSchedule: malformed specs', () => {
  it('has a large table', () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(100);
  });

  it.each(MALFORMED)('rejects %j quoting %j', (text, fragment) => {
    const result = parseSchedule(text, { defaultZone: 'Europe/Zurich' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const { message } = result.error;
    expect(message).not.toMatch(/[\r\n]/);
    expect(message.startsWith(`cannot read "${fragment}": `)).toBe(true);
    expect(result.error.fragment).toBe(fragment);
    expect(message).toContain('; example: ');
    expect(message.endsWith(`example: ${result.error.example}`)).toBe(true);
    // The example itself must be a valid spec.
    expect(parseSchedule(result.error.example, { defaultZone: 'UTC' }).ok).toBe(true);
  });

  it('reports the documented message for a bad end time', () => {
    const result = parseSchedule('every 2nd tue 14:00-25:00 Europe/Zurich', { defaultZone: 'UTC' });
    expect(result).toEqual({
      ok: false,
      error: {
        message: 'cannot read "14:00-25:00": expected an end time HH:MM (00:00-23:59); example: every 2nd tue 14:00-17:00 Europe/Zurich',
        fragment: '14:00-25:00',
        example: 'every 2nd tue 14:00-17:00 Europe/Zurich',
      },
    });
  });

  it('shortens very long fragments and keeps them on one line', () => {
    const result = parseSchedule(`every day 02:00-05:00 ${'x'.repeat(500)}`, { defaultZone: 'UTC' });
    expect(result.ok ? '' : result.error.fragment).toHaveLength(60);
  });
});

describe('parseSchedule: never throws', () => {
  const WORDS = [
    'every', 'day', 'days', 'week', 'weeks', 'on', 'of', 'month', 'once', 'at', 'for', 'to', '-', 'starting', 'until', 'times',
    '2nd', 'last', '2nd-last', 'tue', 'mon,fri', 'mon-fri', 'jan,jul', '+2', 'days', '15', '-1', '2', '0', '02:00', '14:00-17:00',
    '3h', '1h30m', '90m', '8d', '2026-12-05', '2026-02-30', 'UTC', 'Europe/Zurich', 'RRULE:FREQ=MONTHLY;BYDAY=2TU',
    'FREQ=WEEKLY;INTERVAL=2', 'RRULE:FREQ=DAILY;COUNT=3', 'BYDAY=', ';', ',', '10', 'constructor', '__proto__',
  ];

  it('on random text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ maxLength: 30 }), (text, zone) => {
      const result = parseSchedule(text, { defaultZone: zone });
      if (!result.ok) expect(result.error.message).not.toMatch(/[\r\n]/);
    }), { numRuns: 2000 });
  });

  it('on random sequences of grammar words', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...WORDS), { maxLength: 12 }), (words) => {
      const result = parseSchedule(words.join(' '), { defaultZone: 'UTC' });
      if (!result.ok) {
        expect(result.error.message).toMatch(/^cannot read ".*": .+; example: .+$/);
        expect(result.error.message).not.toMatch(/[\r\n]/);
      }
    }), { numRuns: 3000 });
  });
});
