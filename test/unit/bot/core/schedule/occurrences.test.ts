import { describe, expect, it } from 'vitest';
import { formatIsoDate, parseIsoDate } from '../../../../../bot/core/schedule/calendar.ts';
import { occurrenceDays } from '../../../../../bot/core/schedule/occurrences.ts';
import { parsed } from './support.ts';

function dates(spec: string, earliest: string, limit = 10): string[] {
  const out: string[] = [];
  for (const day of occurrenceDays(parsed(spec), parseIsoDate(earliest) ?? 0)) {
    out.push(formatIsoDate(day));
    if (out.length >= limit) break;
  }
  return out;
}

describe('occurrenceDays', () => {
  it('shifts by the offset after matching (Patch Tuesday 2026-01-13 + 2 days)', () => {
    expect(dates('every 2nd tue +2 days 01:00 for 1h UTC', '2026-01-01', 2)).toEqual(['2026-01-15', '2026-02-12']);
    expect(dates('every 1st mon -3 days 01:00 for 1h UTC', '2026-01-01', 2)).toEqual(['2026-01-02', '2026-01-30']);
  });

  it('applies `starting` to the shifted date, so an anchor just before it still counts', () => {
    // last Friday of January 2027 is the 29th; +3 days is Monday 2027-02-01
    expect(dates('every last fri +3 days 01:00 for 1h starting 2027-02-01 UTC', '2026-01-01', 1)).toEqual(['2027-02-01']);
  });

  it('counts COUNT from `starting`, not from the earliest day asked for', () => {
    expect(dates('every day 01:00 for 1h starting 2026-01-01 5 times UTC', '2026-01-04')).toEqual(['2026-01-04', '2026-01-05']);
    expect(dates('every day 01:00 for 1h starting 2026-01-01 5 times UTC', '2025-01-01')).toHaveLength(5);
  });

  it('does not count dates before `starting` (they are no occurrences)', () => {
    expect(dates('every 2nd tue +2 days 01:00 for 1h starting 2026-01-14 2 times UTC', '2020-01-01')).toEqual(['2026-01-15', '2026-02-12']);
  });

  it('yields `once` dates only when they are in range', () => {
    expect(dates('once 2026-12-24 02:00 for 2h UTC', '2026-12-24')).toEqual(['2026-12-24']);
    expect(dates('once 2026-12-24 02:00 for 2h UTC', '2026-12-25')).toEqual([]);
  });

  it('stops at the end of year 9999', () => {
    expect(dates('every day 01:00 for 1h UTC', '9999-12-30')).toEqual(['9999-12-30', '9999-12-31']);
    expect(dates('RRULE:FREQ=YEARLY;INTERVAL=366;BYMONTH=1;BYMONTHDAY=1 at 01:00 for 1h starting 2026-01-01 UTC', '2026-01-01', 100)).toHaveLength(22);
  });
});
