// The part of a spec that says when a window starts and how it ends:
// `[at] HH:MM-HH:MM`, `[at] HH:MM to HH:MM` or `[at] HH:MM for <duration>`.
import { parseClockTime } from './clock.ts';
import { readDuration } from './duration.ts';
import type { ClockTime, WindowEnd } from './model.ts';
import { fail } from './syntax-error.ts';
import type { TokenCursor } from './tokens.ts';

export interface TimeClause {
  readonly start: ClockTime;
  readonly end: WindowEnd;
}

const EXPECTED_START = 'expected a start time HH:MM (00:00-23:59)';
const EXPECTED_END = 'expected an end time HH:MM (00:00-23:59)';

export function readTimeClause(cursor: TokenCursor, example: string): TimeClause {
  cursor.accept('at');
  const token = cursor.next();
  if (token === undefined) fail(cursor.all(), `${EXPECTED_START} after the rule`, example);
  const range = /^([^-]*)-(.*)$/.exec(token);
  if (range !== null) {
    const start = parseClockTime(range[1] ?? '') ?? fail(token, EXPECTED_START, example);
    const end = parseClockTime(range[2] ?? '') ?? fail(token, EXPECTED_END, example);
    return { start, end: { kind: 'clock', time: end } };
  }
  const start = parseClockTime(token) ?? fail(token, EXPECTED_START, example);
  if (cursor.accept('for')) return { start, end: { kind: 'duration', minutes: readDuration(cursor, example) } };
  const startAt = cursor.position - 1;
  if (cursor.accept('to') || cursor.accept('-')) {
    const endToken = cursor.next();
    const end = parseClockTime(endToken ?? '') ?? fail(endToken ?? cursor.since(startAt), EXPECTED_END, example);
    return { start, end: { kind: 'clock', time: end } };
  }
  const following = cursor.peek();
  fail(
    following === undefined ? token : `${token} ${following}`,
    'expected "for <duration>" or an end time after the start time (like 14:00-17:00 or 22:00 for 4h)',
    example,
  );
}
