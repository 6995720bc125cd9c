// Expected dates come from the worked examples in RFC 5545 §3.8.5.3 (cited per case) and from
// Python's calendar module for 2026–2044.
import { describe, expect, it } from 'vitest';
import { formatIsoDate, parseIsoDate } from '../../../../../bot/core/schedule/calendar.ts';
import { recurrenceDays } from '../../../../../bot/core/schedule/recurrence.ts';
import type { Recurrence, WeekdayPick } from '../../../../../bot/core/schedule/recurrence.ts';

const [MO, TU, WE, TH, FR, , SU] = [0, 1, 2, 3, 4, 5, 6] as const;
const every = (weekday: number, ordinal = 0): WeekdayPick => ({ weekday, ordinal });

function recurrence(parts: Partial<Recurrence> & Pick<Recurrence, 'freq'>): Recurrence {
  return { interval: 1, byDay: [], byMonthDay: [], byMonth: [], bySetPos: [], weekStart: MO, anchor: undefined, ...parts };
}

function day(text: string): number {
  const parsedDay = parseIsoDate(text);
  if (parsedDay === undefined) throw new Error(`bad date ${text}`);
  return parsedDay;
}

function dates(rule: Recurrence, from: string, count: number): string[] {
  const out: string[] = [];
  for (const each of recurrenceDays(rule, day(from))) {
    out.push(formatIsoDate(each));
    if (out.length >= count) break;
  }
  return out;
}

describe('recurrenceDays', () => {
  it('DAILY yields every day from the start', () => {
    expect(dates(recurrence({ freq: 'daily' }), '2026-02-27', 3)).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
  });

  it('DAILY;INTERVAL=10 counts from the anchor (RFC: every 10 days from 1997-09-02)', () => {
    const rule = recurrence({ freq: 'daily', interval: 10, anchor: day('1997-09-02') });
    expect(dates(rule, '1997-09-02', 3)).toEqual(['1997-09-02', '1997-09-12', '1997-09-22']);
    expect(dates(rule, '1997-09-13', 2)).toEqual(['1997-09-22', '1997-10-02']);
  });

  it('WEEKLY;INTERVAL=2;BYDAY=TU,SU depends on WKST (RFC example, DTSTART 1997-08-05)', () => {
    const base = { freq: 'weekly', interval: 2, byDay: [every(TU), every(SU)], anchor: day('1997-08-05') } as const;
    expect(dates(recurrence({ ...base, weekStart: MO }), '1997-08-05', 4)).toEqual(['1997-08-05', '1997-08-10', '1997-08-19', '1997-08-24']);
    expect(dates(recurrence({ ...base, weekStart: SU }), '1997-08-05', 4)).toEqual(['1997-08-05', '1997-08-17', '1997-08-19', '1997-08-31']);
  });

  it('WEEKLY without BYDAY uses the anchor weekday', () => {
    const rule = recurrence({ freq: 'weekly', anchor: day('2026-12-05') });
    expect(dates(rule, '2027-01-01', 2)).toEqual(['2027-01-02', '2027-01-09']);
  });

  it('MONTHLY;BYDAY=1FR (RFC: first Friday, DTSTART 1997-09-05)', () => {
    expect(dates(recurrence({ freq: 'monthly', byDay: [every(FR, 1)] }), '1997-09-05', 4)).toEqual([
      '1997-09-05', '1997-10-03', '1997-11-07', '1997-12-05',
    ]);
  });

  it('MONTHLY;BYDAY=1SU,-1SU (RFC: first and last Sunday, DTSTART 1997-09-07)', () => {
    expect(dates(recurrence({ freq: 'monthly', interval: 2, byDay: [every(SU, 1), every(SU, -1)], anchor: day('1997-09-07') }), '1997-09-07', 6))
      .toEqual(['1997-09-07', '1997-09-28', '1997-11-02', '1997-11-30', '1998-01-04', '1998-01-25']);
  });

  it('MONTHLY;BYDAY=-2MO (RFC: second-to-last Monday, DTSTART 1997-09-22)', () => {
    expect(dates(recurrence({ freq: 'monthly', byDay: [every(MO, -2)] }), '1997-09-22', 4)).toEqual([
      '1997-09-22', '1997-10-20', '1997-11-17', '1997-12-22',
    ]);
  });

  it('MONTHLY;BYDAY=5MO only matches months that have five Mondays', () => {
    expect(dates(recurrence({ freq: 'monthly', byDay: [every(MO, 5)] }), '2026-01-01', 4)).toEqual([
      '2026-03-30', '2026-06-29', '2026-08-31', '2026-11-30',
    ]);
  });

  it('MONTHLY;BYDAY=5MO;BYMONTH=2 is rare but found (February 2044 has five Mondays)', () => {
    expect(dates(recurrence({ freq: 'monthly', byDay: [every(MO, 5)], byMonth: [2] }), '2026-01-01', 2)).toEqual([
      '2044-02-29', '2072-02-29',
    ]);
  });

  it('MONTHLY;BYMONTHDAY=-3 (RFC: third-to-last day, DTSTART 1997-09-28)', () => {
    expect(dates(recurrence({ freq: 'monthly', byMonthDay: [-3] }), '1997-09-28', 4)).toEqual([
      '1997-09-28', '1997-10-29', '1997-11-28', '1997-12-29',
    ]);
  });

  it('MONTHLY;BYMONTHDAY=2,15 and 1,-1 (RFC examples)', () => {
    expect(dates(recurrence({ freq: 'monthly', byMonthDay: [2, 15] }), '1997-09-02', 4)).toEqual([
      '1997-09-02', '1997-09-15', '1997-10-02', '1997-10-15',
    ]);
    expect(dates(recurrence({ freq: 'monthly', byMonthDay: [1, -1] }), '1997-09-30', 4)).toEqual([
      '1997-09-30', '1997-10-01', '1997-10-31', '1997-11-01',
    ]);
  });

  it('MONTHLY;BYMONTHDAY=31 skips months without a 31st; -1 is the 29th in February 2028', () => {
    expect(dates(recurrence({ freq: 'monthly', byMonthDay: [31] }), '2026-01-01', 7)).toEqual([
      '2026-01-31', '2026-03-31', '2026-05-31', '2026-07-31', '2026-08-31', '2026-10-31', '2026-12-31',
    ]);
    expect(dates(recurrence({ freq: 'monthly', byMonthDay: [-1] }), '2028-02-01', 2)).toEqual(['2028-02-29', '2028-03-31']);
  });

  it('MONTHLY;BYDAY=FR;BYMONTHDAY=13 intersects (RFC: Friday the 13th; 2026-02, 2026-03, 2026-11, 2027-08)', () => {
    const rule = recurrence({ freq: 'monthly', byDay: [every(FR)], byMonthDay: [13] });
    expect(dates(rule, '1997-09-02', 3)).toEqual(['1998-02-13', '1998-03-13', '1998-11-13']);
    expect(dates(rule, '2026-01-01', 4)).toEqual(['2026-02-13', '2026-03-13', '2026-11-13', '2027-08-13']);
  });

  it('MONTHLY;BYDAY=TU,WE,TH;BYSETPOS=3 (RFC: third of those days, DTSTART 1997-09-04)', () => {
    expect(dates(recurrence({ freq: 'monthly', byDay: [every(TU), every(WE), every(TH)], bySetPos: [3] }), '1997-09-04', 3)).toEqual([
      '1997-09-04', '1997-10-07', '1997-11-06',
    ]);
  });

  it('MONTHLY;BYDAY=MO..FR;BYSETPOS=-1 is the last work day (RFC example)', () => {
    const rule = recurrence({ freq: 'monthly', byDay: [MO, TU, WE, TH, FR].map((weekday) => every(weekday)), bySetPos: [-1] });
    expect(dates(rule, '1997-09-29', 7)).toEqual([
      '1997-09-30', '1997-10-31', '1997-11-28', '1997-12-31', '1998-01-30', '1998-02-27', '1998-03-31',
    ]);
  });

  it('MONTHLY without BYDAY/BYMONTHDAY repeats the anchor day of month, skipping short months', () => {
    expect(dates(recurrence({ freq: 'monthly', anchor: day('2026-01-31') }), '2026-01-01', 3)).toEqual([
      '2026-01-31', '2026-03-31', '2026-05-31',
    ]);
  });

  it('YEARLY;BYMONTH=6,7 uses the anchor day (RFC: DTSTART 1997-06-10)', () => {
    expect(dates(recurrence({ freq: 'yearly', byMonth: [6, 7], anchor: day('1997-06-10') }), '1997-06-10', 4)).toEqual([
      '1997-06-10', '1997-07-10', '1998-06-10', '1998-07-10',
    ]);
  });

  it('YEARLY;BYDAY=20MO counts Mondays within the year (RFC example)', () => {
    expect(dates(recurrence({ freq: 'yearly', byDay: [every(MO, 20)] }), '1997-05-19', 3)).toEqual(['1997-05-19', '1998-05-18', '1999-05-17']);
  });

  it('YEARLY;BYMONTH=3;BYDAY=TH is every Thursday in March (RFC example)', () => {
    expect(dates(recurrence({ freq: 'yearly', byMonth: [3], byDay: [every(TH)] }), '1997-03-13', 4)).toEqual([
      '1997-03-13', '1997-03-20', '1997-03-27', '1998-03-05',
    ]);
  });

  it('YEARLY;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2..8 is US election day (RFC example)', () => {
    const rule = recurrence({ freq: 'yearly', interval: 4, byMonth: [11], byDay: [every(TU)], byMonthDay: [2, 3, 4, 5, 6, 7, 8], anchor: day('1996-11-05') });
    expect(dates(rule, '1996-11-05', 3)).toEqual(['1996-11-05', '2000-11-07', '2004-11-02']);
  });

  it('YEARLY on the anchor date skips non-leap years for February 29', () => {
    expect(dates(recurrence({ freq: 'yearly', anchor: day('2024-02-29') }), '2024-01-01', 2)).toEqual(['2024-02-29', '2028-02-29']);
  });

  it('YEARLY without BYMONTH expands BYMONTHDAY in every month', () => {
    expect(dates(recurrence({ freq: 'yearly', byMonthDay: [1] }), '2026-11-15', 3)).toEqual(['2026-12-01', '2027-01-01', '2027-02-01']);
  });

  it('ends when nothing matches for 400 years instead of looping forever', () => {
    const never = recurrence({ freq: 'monthly', byMonthDay: [30], byMonth: [2] });
    expect([...recurrenceDays(never, day('2026-01-01'))]).toEqual([]);
    expect([...recurrenceDays(recurrence({ freq: 'daily', byMonthDay: [31], byMonth: [4] }), day('2026-01-01'))]).toEqual([]);
  });
});
