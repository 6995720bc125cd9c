import { describe, expect, it } from 'vitest';
import { ScheduleParseFailure } from '../../../../../bot/core/schedule/syntax-error.ts';
import { readTimeClause } from '../../../../../bot/core/schedule/time-clause.ts';
import type { TimeClause } from '../../../../../bot/core/schedule/time-clause.ts';
import { TokenCursor, tokenize } from '../../../../../bot/core/schedule/tokens.ts';

function read(text: string): { clause: TimeClause; rest: string } | string {
  const cursor = new TokenCursor(tokenize(text));
  try {
    return { clause: readTimeClause(cursor, 'EXAMPLE'), rest: cursor.rest() };
  } catch (error) {
    if (error instanceof ScheduleParseFailure) return error.error.message;
    throw error;
  }
}

describe('readTimeClause', () => {
  it.each<[string, TimeClause]>([
    ['14:00-17:00', { start: { hour: 14, minute: 0 }, end: { kind: 'clock', time: { hour: 17, minute: 0 } } }],
    ['at 14:00 - 17:00', { start: { hour: 14, minute: 0 }, end: { kind: 'clock', time: { hour: 17, minute: 0 } } }],
    ['AT 9:30 TO 9:45', { start: { hour: 9, minute: 30 }, end: { kind: 'clock', time: { hour: 9, minute: 45 } } }],
    ['23:00-03:00', { start: { hour: 23, minute: 0 }, end: { kind: 'clock', time: { hour: 3, minute: 0 } } }],
    ['22:00 for 4h', { start: { hour: 22, minute: 0 }, end: { kind: 'duration', minutes: 240 } }],
  ])('%s', (text, clause) => {
    expect(read(text)).toEqual({ clause, rest: '' });
  });

  it('leaves what follows for the caller', () => {
    expect(read('01:00 for 6h starting 2026-12-05 UTC')).toMatchObject({ rest: 'starting 2026-12-05 UTC' });
  });

  it.each([
    ['', 'cannot read "": expected a start time HH:MM (00:00-23:59) after the rule; example: EXAMPLE'],
    ['14:00-25:00', 'cannot read "14:00-25:00": expected an end time HH:MM (00:00-23:59); example: EXAMPLE'],
    ['25:00-26:00', 'cannot read "25:00-26:00": expected a start time HH:MM (00:00-23:59); example: EXAMPLE'],
    ['14:00', 'cannot read "14:00": expected "for <duration>" or an end time after the start time (like 14:00-17:00 or 22:00 for 4h); example: EXAMPLE'],
  ])('rejects %j', (text, message) => {
    expect(read(text)).toBe(message);
  });
});
