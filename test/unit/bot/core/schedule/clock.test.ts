import { describe, expect, it } from 'vitest';
import { formatClockTime, minuteOfDay, parseClockTime } from '../../../../../bot/core/schedule/clock.ts';

describe('clock times', () => {
  it.each([['00:00', 0, 0], ['2:05', 2, 5], ['23:59', 23, 59], ['14:00', 14, 0]])('%s', (text, hour, minute) => {
    expect(parseClockTime(text)).toEqual({ hour, minute });
  });
  it.each(['24:00', '25:00', '12:60', '1200', '12:5', '12:00:00', '-1:00', 'noon', ''])('rejects %j', (text) => {
    expect(parseClockTime(text)).toBeUndefined();
  });
  it('prints two-digit hours and counts minutes from midnight', () => {
    expect(formatClockTime({ hour: 2, minute: 5 })).toBe('02:05');
    expect(minuteOfDay({ hour: 23, minute: 59 })).toBe(1439);
  });
});
