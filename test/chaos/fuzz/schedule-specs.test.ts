// Fuzzing schedule specs (parseSchedule) and skip ranges (parseSkipRange): every text is read or
// answered with one clear line; an accepted spec prints back to itself and expands to ordered,
// non-empty windows without throwing (so a stored schedule can never break the engine's tick).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSchedule, formatSkipRange, parseSchedule, parseSkipRange, windowsOf } from '../../../bot/core/schedule/index.ts';
import type { ScheduleSyntaxError } from '../../../bot/core/schedule/index.ts';
import { validSpec } from '../../unit/bot/core/schedule/spec-arbitrary.ts';
import { anyText, grammarWord, mutated, soup, SPEC_EXAMPLES } from './arbitraries.ts';
import { fuzzSync, unclearError } from './fuzz-run.ts';

const ZONES = ['Europe/Zurich', 'UTC', 'Australia/Lord_Howe', 'America/Santiago'] as const;
const FROM = new Date('2026-11-25T12:00:00Z');

function checkError(error: ScheduleSyntaxError): void {
  expect(unclearError(error.message)).toBeUndefined();
  expect(error.fragment.length).toBeLessThanOrEqual(60);
  expect(error.message).toContain(error.example);
}

function checkSpec([text, defaultZone]: [string, string]): void {
  const parsed = parseSchedule(text, { defaultZone });
  if (!parsed.ok) {
    checkError(parsed.error);
    return;
  }
  const again = parseSchedule(formatSchedule(parsed.schedule), { defaultZone: 'UTC' });
  expect(again).toStrictEqual({ ok: true, schedule: parsed.schedule });
  const windows = windowsOf(parsed.schedule, { from: FROM, count: 3 });
  for (const [index, window] of windows.entries()) {
    expect(window.end.toMillis()).toBeGreaterThan(window.start.toMillis());
    expect(window.end.toMillis()).toBeGreaterThan(FROM.getTime());
    if (index > 0) expect(window.start.toMillis()).toBeGreaterThanOrEqual(windows[index - 1]?.start.toMillis() ?? 0);
  }
}

const withZone = (text: fc.Arbitrary<string>): fc.Arbitrary<[string, string]> => fc.tuple(text, fc.constantFrom(...ZONES));

describe('fuzz: schedule specs', () => {
  it('reads arbitrary text or answers one clear line', async (context) => {
    await fuzzSync({ context, target: 'schedule specs: arbitrary text', arbitrary: withZone(anyText(2000)) }, checkSpec);
  });

  it('reads token soups of the spec grammar', async (context) => {
    await fuzzSync({ context, target: 'schedule specs: token soup', arbitrary: withZone(soup(grammarWord, 12)) }, checkSpec);
  });

  it('reads valid specs and the error examples changed by a few edits', async (context) => {
    const valid = fc.oneof(validSpec.map(({ spec }) => spec), fc.constantFrom(...SPEC_EXAMPLES));
    await fuzzSync({ context, target: 'schedule specs: mutated valid specs', arbitrary: withZone(mutated(valid, 3)) }, checkSpec);
  });
});

describe('fuzz: skip ranges', () => {
  it('reads a date or range, a zone and a reason, or answers one clear line', async (context) => {
    const dates = fc.constantFrom('2026-12-20..2027-01-06', '2026-12-24', '2026-12-24 .. 2026-12-26', '2027-01-06..2026-12-20', '2026-02-29', '2028-02-29');
    const range = fc.oneof(anyText(300), mutated(fc.tuple(dates, soup(grammarWord, 5)).map(([day, rest]) => `${day} ${rest}`), 3));
    await fuzzSync({ context, target: 'skip ranges', arbitrary: withZone(range) }, ([text, defaultZone]) => {
      const parsed = parseSkipRange(text, defaultZone);
      if (!parsed.ok) {
        checkError(parsed.error);
        return;
      }
      expect(parsed.range.from <= parsed.range.to).toBe(true);
      expect(parseSkipRange(formatSkipRange(parsed.range), 'UTC')).toStrictEqual({ ok: true, range: parsed.range, rest: '' });
    });
  });
});
