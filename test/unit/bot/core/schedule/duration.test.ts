import { describe, expect, it } from 'vitest';
import { formatDuration, readDuration } from '../../../../../bot/core/schedule/duration.ts';
import { ScheduleParseFailure } from '../../../../../bot/core/schedule/syntax-error.ts';
import { TokenCursor, tokenize } from '../../../../../bot/core/schedule/tokens.ts';

function read(text: string): number | string {
  try {
    return readDuration(new TokenCursor(tokenize(text)), 'EXAMPLE');
  } catch (error) {
    if (error instanceof ScheduleParseFailure) return error.error.message;
    throw error;
  }
}

describe('durations', () => {
  it.each([
    ['30m', 30], ['90m', 90], ['3h', 180], ['1h30m', 90], ['2d', 2880], ['7d', 10_080], ['1d12h', 2160],
    ['1.5h', 90], ['1.1h', 66], ['3 hours', 180], ['1 hour 30 minutes', 90], ['1h 30m', 90], ['45 min', 45], ['2 days', 2880],
    ['6H', 360],
  ])('%s = %i minutes', (text, minutes) => {
    expect(read(text)).toBe(minutes);
  });

  it('stops at the first word that is not part of the duration', () => {
    const cursor = new TokenCursor(tokenize('3h 10 times UTC'));
    expect(readDuration(cursor, 'EXAMPLE')).toBe(180);
    expect(cursor.rest()).toBe('10 times UTC');
  });

  it.each([
    ['0m', '"0m"'], ['8d', '"8d"'], ['7d1m', '"7d1m"'], ['30m1h', 'largest to smallest'], ['1h1h', 'largest to smallest'],
    ['0.5m', 'whole minutes'], ['3x', '"3x"'], ['', '"for"'], ['h', '"h"'], ['3', '"3"'],
  ])('rejects %j', (text, quoted) => {
    const message = read(text);
    expect(message).toContain(quoted);
    expect(message).toContain('example: EXAMPLE');
  });

  it.each([[30, '30m'], [90, '1h30m'], [180, '3h'], [1440, '1d'], [2161, '1d12h1m'], [10_080, '7d']])('prints %i as %s', (minutes, text) => {
    expect(formatDuration(minutes)).toBe(text);
    expect(read(text)).toBe(minutes);
  });
});
