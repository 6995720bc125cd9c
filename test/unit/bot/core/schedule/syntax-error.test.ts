import { describe, expect, it } from 'vitest';
import { EXAMPLES, ScheduleParseFailure, catchSyntaxError, fail, syntaxError } from '../../../../../bot/core/schedule/syntax-error.ts';
import { parsed } from './support.ts';

describe('syntax errors', () => {
  it('formats one line quoting the fragment and the example', () => {
    expect(syntaxError('14:00-25:00', 'expected an end time HH:MM (00:00-23:59)', EXAMPLES.ordinal)).toEqual({
      message: 'cannot read "14:00-25:00": expected an end time HH:MM (00:00-23:59); example: every 2nd tue 14:00-17:00 Europe/Zurich',
      fragment: '14:00-25:00',
      example: EXAMPLES.ordinal,
    });
  });

  it('collapses line breaks and shortens long fragments', () => {
    expect(syntaxError('a\nb\r\nc', 'x', 'y').fragment).toBe('a b c');
    expect(syntaxError('z'.repeat(100), 'x', 'y').fragment).toBe(`${'z'.repeat(59)}…`);
  });

  it('catches only parse failures', () => {
    expect(catchSyntaxError(() => fail('a', 'b', 'c'))).toEqual({ ok: false, error: syntaxError('a', 'b', 'c') });
    expect(catchSyntaxError(() => 1)).toEqual({ ok: true, value: 1 });
    expect(() => catchSyntaxError(() => { throw new TypeError('bug'); })).toThrow(TypeError);
    expect(new ScheduleParseFailure(syntaxError('a', 'b', 'c')).message).toBe('cannot read "a": b; example: c');
  });

  it.each(Object.entries(EXAMPLES).filter(([name]) => name !== 'skip'))('example %s is itself a valid spec', (_, example) => {
    expect(() => parsed(example)).not.toThrow();
  });
});
