import { describe, expect, it } from 'vitest';
import { TokenCursor, tokenize } from '../../../../../bot/core/schedule/tokens.ts';

describe('tokenize', () => {
  it('splits on any whitespace, including line breaks', () => {
    expect(tokenize('  every\tday\n02:00-05:00  ')).toEqual(['every', 'day', '02:00-05:00']);
  });
  it('glues spaced-out lists, time ranges and RRULE parts', () => {
    expect(tokenize('every mon , tue,  wed 14:00 - 17:00')).toEqual(['every', 'mon,tue,wed', '14:00-17:00']);
    expect(tokenize('RRULE: FREQ=MONTHLY; BYDAY=2TU at 01:00')).toEqual(['RRULE:FREQ=MONTHLY;BYDAY=2TU', 'at', '01:00']);
  });
  it('leaves a negative month day alone', () => {
    expect(tokenize('day -1 of every month')).toEqual(['day', '-1', 'of', 'every', 'month']);
  });
});

describe('TokenCursor', () => {
  it('peeks, accepts keywords case-insensitively and quotes what it consumed', () => {
    const cursor = new TokenCursor(['Every', 'Day', '02:00']);
    expect(cursor.peekWord()).toBe('every');
    expect(cursor.accept('every')).toBe(true);
    expect(cursor.accept('week')).toBe(false);
    expect(cursor.next()).toBe('Day');
    expect(cursor.since(0)).toBe('Every Day');
    expect(cursor.rest()).toBe('02:00');
    cursor.next();
    expect(cursor.done).toBe(true);
    expect(cursor.next()).toBeUndefined();
  });
});
