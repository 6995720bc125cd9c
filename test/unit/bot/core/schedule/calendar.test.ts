import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  civilDateOf, daysInMonth, epochDayOf, formatIsoDate, isLeapYear, modulo, parseIsoDate, weekdayIndexOf,
} from '../../../../../bot/core/schedule/calendar.ts';

describe('epoch days', () => {
  it.each([
    [1970, 1, 1, 0],
    [1969, 12, 31, -1],
    [2000, 3, 1, 11_017],
    [2026, 1, 1, 20_454],
    [2028, 2, 29, 21_243],
  ])('%i-%i-%i is day %i', (year, month, day, epochDay) => {
    expect(epochDayOf(year, month, day)).toBe(epochDay);
    expect(civilDateOf(epochDay)).toEqual({ year, month, day });
  });

  it('agrees with Date.UTC for any date from 1900 to 9999', () => {
    fc.assert(fc.property(fc.integer({ min: epochDayOf(1900, 1, 1), max: epochDayOf(9999, 12, 31) }), (epochDay) => {
      const date = new Date(epochDay * 86_400_000);
      expect(civilDateOf(epochDay)).toEqual({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() });
      const { year, month, day } = civilDateOf(epochDay);
      expect(epochDayOf(year, month, day)).toBe(epochDay);
      expect(weekdayIndexOf(epochDay)).toBe((date.getUTCDay() + 6) % 7);
    }));
  });

  it('knows weekdays: 1970-01-01 was a Thursday, 2026-12-05 a Saturday', () => {
    expect(weekdayIndexOf(0)).toBe(3);
    expect(weekdayIndexOf(epochDayOf(2026, 12, 5))).toBe(5);
  });
});

describe('month lengths and leap years', () => {
  it.each([[2026, false], [2028, true], [1900, false], [2000, true], [2100, false]])('%i leap: %s', (year, leap) => {
    expect(isLeapYear(year)).toBe(leap);
    expect(daysInMonth(year, 2)).toBe(leap ? 29 : 28);
  });
  it('has 30 days in april, june, september, november and 31 in the rest', () => {
    expect([1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((month) => daysInMonth(2026, month))).toEqual([
      31, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ]);
  });
});

describe('ISO dates', () => {
  it('round-trips real dates', () => {
    expect(formatIsoDate(parseIsoDate('2028-02-29') ?? 0)).toBe('2028-02-29');
  });
  it.each(['2026-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '26-01-01', '2026-1-1', '1899-12-31', '', 'x'])(
    'rejects %j',
    (text) => {
      expect(parseIsoDate(text)).toBeUndefined();
    },
  );
  it('computes a mathematical modulo', () => {
    expect(modulo(-1, 7)).toBe(6);
    expect(modulo(15, 7)).toBe(1);
  });
});
