import { describe, expect, it } from 'vitest';
import { parseSchedule } from '../../../../../bot/core/schedule/index.ts';
import type { Rule } from '../../../../../bot/core/schedule/index.ts';
import { isoWindows, parsed } from './support.ts';

const rrule = (parts: Partial<Extract<Rule, { kind: 'rrule' }>>): Rule => ({
  kind: 'rrule', freq: 'monthly', interval: 1, byDay: [], byMonthDay: [], byMonth: [], bySetPos: [], weekStart: 'mon', ...parts,
});

describe('RRULE parsing', () => {
  it('reads the example into a typed rule', () => {
    expect(parsed('RRULE:FREQ=MONTHLY;BYDAY=-1SU;BYMONTH=3,9 at 01:00 for 2h Australia/Sydney')).toEqual({
      rule: rrule({ byDay: [{ weekday: 'sun', ordinal: -1 }], byMonth: [3, 9] }),
      start: { hour: 1, minute: 0 },
      end: { kind: 'duration', minutes: 120 },
      zone: 'Australia/Sydney',
    });
  });

  it.each<[string, Partial<Extract<Rule, { kind: 'rrule' }>>]>([
    ['FREQ=DAILY', { freq: 'daily' }],
    ['rrule:freq=weekly;byday=tu,th', { freq: 'weekly', byDay: [{ weekday: 'tue' }, { weekday: 'thu' }] }],
    ['RRULE:FREQ=MONTHLY;BYDAY=+2TU', { byDay: [{ weekday: 'tue', ordinal: 2 }] }],
    ['RRULE:FREQ=MONTHLY;BYMONTHDAY=-1,15,1', { byMonthDay: [-1, 1, 15] }],
    ['RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', {
      byDay: [{ weekday: 'mon' }, { weekday: 'tue' }, { weekday: 'wed' }, { weekday: 'thu' }, { weekday: 'fri' }], bySetPos: [-1],
    }],
    ['RRULE:FREQ=YEARLY;BYDAY=20MO', { freq: 'yearly', byDay: [{ weekday: 'mon', ordinal: 20 }] }],
    ['RRULE:FREQ=WEEKLY;BYDAY=SU;WKST=SU', { freq: 'weekly', byDay: [{ weekday: 'sun' }], weekStart: 'sun' }],
  ])('%s', (text, parts) => {
    expect(parsed(`${text} at 01:00 for 1h UTC`).rule).toEqual(rrule(parts));
  });

  it('moves COUNT and UNTIL onto the schedule', () => {
    expect(parsed('RRULE:FREQ=DAILY;COUNT=3 at 01:00 for 1h starting 2026-01-01 UTC')).toMatchObject({ count: 3, starting: '2026-01-01' });
    expect(parsed('RRULE:FREQ=DAILY;UNTIL=20260110 at 01:00 for 1h UTC').until).toEqual({ kind: 'date', date: '2026-01-10' });
    expect(parsed('RRULE:FREQ=DAILY;UNTIL=20260110T120000Z at 01:00 for 1h UTC').until).toEqual({
      kind: 'instant', instant: '2026-01-10T12:00:00Z',
    });
  });

  it('accepts an end time, spaces after separators and no `at`', () => {
    expect(parsed('RRULE: FREQ=WEEKLY; BYDAY=SA 23:00-03:00 Europe/London').end).toEqual({ kind: 'clock', time: { hour: 3, minute: 0 } });
  });

  it.each([
    ['RRULE:FREQ=HOURLY', '"FREQ=HOURLY"'],
    ['RRULE:FREQ=MINUTELY', '"FREQ=MINUTELY"'],
    ['RRULE:FREQ=SECONDLY', '"FREQ=SECONDLY"'],
    ['RRULE:FREQ=DAILY;BYHOUR=3', '"BYHOUR=3"'],
    ['RRULE:FREQ=DAILY;BYMINUTE=30', '"BYMINUTE=30"'],
    ['RRULE:FREQ=DAILY;BYSECOND=0', '"BYSECOND=0"'],
    ['RRULE:FREQ=YEARLY;BYWEEKNO=20', '"BYWEEKNO=20"'],
    ['RRULE:FREQ=YEARLY;BYYEARDAY=100', '"BYYEARDAY=100"'],
  ])('rejects unsupported %s naming the part', (text, quoted) => {
    const result = parseSchedule(`${text} at 01:00 for 1h UTC`, { defaultZone: 'UTC' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain(quoted);
    if (!result.ok) expect(result.error.message).toMatch(/not supported/);
  });
});

describe('RRULE expansion', () => {
  it('expands COUNT from `starting` (RFC: DTSTART 1997-09-02, FREQ=DAILY;COUNT=10)', () => {
    const schedule = parsed('RRULE:FREQ=DAILY;COUNT=10 at 09:00 for 1h starting 1997-09-02 America/New_York');
    const windows = isoWindows(schedule, '1997-01-01T00:00:00Z', 20);
    expect(windows).toHaveLength(10);
    expect(windows[0]).toEqual(['1997-09-02T09:00:00-04:00', '1997-09-02T10:00:00-04:00']);
    expect(windows[9]).toEqual(['1997-09-11T09:00:00-04:00', '1997-09-11T10:00:00-04:00']);
  });

  it('counts occurrences before `from` against COUNT', () => {
    const schedule = parsed('RRULE:FREQ=DAILY;COUNT=10 at 09:00 for 1h starting 1997-09-02 UTC');
    expect(isoWindows(schedule, '1997-09-10T12:00:00Z', 20)).toEqual([['1997-09-11T09:00:00Z', '1997-09-11T10:00:00Z']]);
  });

  it('honours WKST with INTERVAL (RFC: FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU)', () => {
    const starts = (wkst: string): string[] =>
      isoWindows(parsed(`RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=${wkst} at 09:00 for 1h starting 1997-08-05 UTC`), '1997-01-01T00:00:00Z', 10)
        .map(([start]) => start.slice(0, 10));
    expect(starts('MO')).toEqual(['1997-08-05', '1997-08-10', '1997-08-19', '1997-08-24']);
    expect(starts('SU')).toEqual(['1997-08-05', '1997-08-17', '1997-08-19', '1997-08-31']);
  });

  it('stops at an UNTIL date (inclusive) and an UNTIL instant', () => {
    const byDate = parsed('RRULE:FREQ=DAILY;UNTIL=20260103 at 09:00 for 1h UTC');
    expect(isoWindows(byDate, '2026-01-01T00:00:00Z', 10).map(([start]) => start)).toEqual([
      '2026-01-01T09:00:00Z', '2026-01-02T09:00:00Z', '2026-01-03T09:00:00Z',
    ]);
    const byInstant = parsed('RRULE:FREQ=DAILY;UNTIL=20260103T085959Z at 09:00 for 1h UTC');
    expect(isoWindows(byInstant, '2026-01-01T00:00:00Z', 10)).toHaveLength(2);
    const exact = parsed('RRULE:FREQ=DAILY;UNTIL=20260103T090000Z at 09:00 for 1h UTC');
    expect(isoWindows(exact, '2026-01-01T00:00:00Z', 10)).toHaveLength(3);
  });

  it('gives nothing when UNTIL is in the past', () => {
    expect(isoWindows(parsed('RRULE:FREQ=DAILY;UNTIL=20200101 at 09:00 for 1h UTC'), '2026-01-01T00:00:00Z', 10)).toEqual([]);
  });

  it('expands FREQ=MONTHLY without BY-parts on the starting day of month', () => {
    const schedule = parsed('RRULE:FREQ=MONTHLY at 03:00 for 1h starting 2026-01-31 UTC');
    expect(isoWindows(schedule, '2026-01-01T00:00:00Z', 3).map(([start]) => start)).toEqual([
      '2026-01-31T03:00:00Z', '2026-03-31T03:00:00Z', '2026-05-31T03:00:00Z',
    ]);
  });

  it('last work day of the month via BYSETPOS (2026: Python calendar)', () => {
    const schedule = parsed('RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1 at 18:00 for 2h Europe/Zurich');
    expect(isoWindows(schedule, '2026-01-01T00:00:00+01:00', 12).map(([start]) => start.slice(0, 10))).toEqual([
      '2026-01-30', '2026-02-27', '2026-03-31', '2026-04-30', '2026-05-29', '2026-06-30',
      '2026-07-31', '2026-08-31', '2026-09-30', '2026-10-30', '2026-11-30', '2026-12-31',
    ]);
  });
});
