import { describe, expect, it } from 'vitest';
import {
  monthOfWord, ordinalOfWord, ordinalWord, readMonthList, readWeekdayList, weekdayOfWord,
} from '../../../../../bot/core/schedule/names.ts';

describe('weekday and month words', () => {
  it.each([['tue', 'tue'], ['Tuesday', 'tue'], ['TUES', 'tue'], ['thurs', 'thu'], ['sundays', 'sun']])('%s → %s', (word, weekday) => {
    expect(weekdayOfWord(word)).toBe(weekday);
  });
  it.each([['sept', 9], ['September', 9], ['MAY', 5], ['jan', 1]])('%s → %i', (word, month) => {
    expect(monthOfWord(word)).toBe(month);
  });
  it('does not treat Object.prototype names as words', () => {
    expect(weekdayOfWord('constructor')).toBeUndefined();
    expect(monthOfWord('toString')).toBeUndefined();
    expect(ordinalOfWord('__proto__')).toBeUndefined();
  });
});

describe('ordinals', () => {
  it.each([['1st', 1], ['second', 2], ['5th', 5], ['last', -1], ['2nd-last', -2], ['second-last', -2], ['5th-last', -5]])(
    '%s → %i',
    (word, ordinal) => {
      expect(ordinalOfWord(word)).toBe(ordinal);
      expect(ordinalOfWord(ordinalWord(ordinal))).toBe(ordinal);
    },
  );
  it.each(['6th', '0th', 'last-last', 'first-', '-last', '2nd-first'])('rejects %s', (word) => {
    expect(ordinalOfWord(word)).toBeUndefined();
  });
  it('prints canonical ordinals', () => {
    expect([1, 2, 3, 4, 5, -1, -2, -3].map(ordinalWord)).toEqual(['1st', '2nd', '3rd', '4th', '5th', 'last', '2nd-last', '3rd-last']);
  });
});

describe('lists', () => {
  it('sorts weekdays monday first and expands ranges and groups', () => {
    expect(readWeekdayList('fri,mon')).toEqual({ ok: true, items: ['mon', 'fri'] });
    expect(readWeekdayList('mon-fri')).toEqual({ ok: true, items: ['mon', 'tue', 'wed', 'thu', 'fri'] });
    expect(readWeekdayList('fri-mon')).toEqual({ ok: true, items: ['mon', 'fri', 'sat', 'sun'] });
    expect(readWeekdayList('weekend')).toEqual({ ok: true, items: ['sat', 'sun'] });
  });
  it('wraps month ranges around the year end', () => {
    expect(readMonthList('nov-feb')).toEqual({ ok: true, items: [1, 2, 11, 12] });
    expect(readMonthList('March,September')).toEqual({ ok: true, items: [3, 9] });
  });
  it('reports the unreadable or repeated item', () => {
    expect(readWeekdayList('mon,tuu')).toEqual({ ok: false, item: 'tuu' });
    expect(readWeekdayList('mon,monday')).toEqual({ ok: false, item: 'monday' });
    expect(readWeekdayList('mon,')).toEqual({ ok: false, item: '' });
    expect(readWeekdayList('mon-mon')).toEqual({ ok: false, item: 'mon-mon' });
    expect(readMonthList('jan,foo')).toEqual({ ok: false, item: 'foo' });
  });
});
