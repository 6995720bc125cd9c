import { DateTime, Settings } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { describeWindow } from '../../../../../bot/core/commands/window-text.ts';
import { parseSchedule, windowsOf } from '../../../../../bot/core/schedule/index.ts';
import type { Window } from '../../../../../bot/core/schedule/index.ts';

/** The first window of `spec` ending after `from` (an ISO instant). */
function firstWindow(spec: string, from: string): Window {
  const parsed = parseSchedule(spec, { defaultZone: 'UTC' });
  if (!parsed.ok) throw new Error(`expected "${spec}" to parse: ${parsed.error.message}`);
  const [window] = windowsOf(parsed.schedule, { from: DateTime.fromISO(from, { zone: 'UTC' }), count: 1 });
  if (window === undefined) throw new Error(`no window of "${spec}" after ${from}`);
  return window;
}

describe('describeWindow', () => {
  it.each<[string, string, string, string]>([
    [
      'a same-day window in Zurich in winter (UTC+1)',
      'every day 14:00-17:00 Europe/Zurich',
      '2026-01-13T00:00Z',
      'Tue 2026-01-13 14:00 → 17:00 Europe/Zurich (13:00 → 16:00 UTC)',
    ],
    [
      'a same-day window in Zurich in summer (UTC+2)',
      'every day 14:00-17:00 Europe/Zurich',
      '2026-07-14T00:00Z',
      'Tue 2026-07-14 14:00 → 17:00 Europe/Zurich (12:00 → 15:00 UTC)',
    ],
    [
      'a window across midnight in London in winter',
      'every sat 23:00-03:00 Europe/London',
      '2026-01-01T00:00Z',
      'Sat 2026-01-03 23:00 → Sun 2026-01-04 03:00 Europe/London (23:00 → 01-04 03:00 UTC)',
    ],
    [
      'a window across midnight in London in summer',
      'every sat 23:00-03:00 Europe/London',
      '2026-07-01T00:00Z',
      'Sat 2026-07-04 23:00 → Sun 2026-07-05 03:00 Europe/London (22:00 → 07-05 02:00 UTC)',
    ],
    [
      'a UTC window',
      'every day 02:00-05:00 UTC',
      '2026-01-01T00:00Z',
      'Thu 2026-01-01 02:00 → 05:00 UTC (02:00 → 05:00 UTC)',
    ],
    [
      'a UTC window across midnight',
      'every last fri 22:00 for 4h UTC',
      '2026-01-01T00:00Z',
      'Fri 2026-01-30 22:00 → Sat 2026-01-31 02:00 UTC (22:00 → 01-31 02:00 UTC)',
    ],
    [
      'a window in Kathmandu (UTC+05:45)',
      'every day 14:00-17:00 Asia/Kathmandu',
      '2026-01-13T00:00Z',
      'Tue 2026-01-13 14:00 → 17:00 Asia/Kathmandu (08:15 → 11:15 UTC)',
    ],
    [
      // The UTC part is the evening before, so it names its own date.
      'an early-morning window in Kathmandu, the day before in UTC',
      'every day 03:00-05:00 Asia/Kathmandu',
      '2026-01-13T00:00Z',
      'Wed 2026-01-14 03:00 → 05:00 Asia/Kathmandu (Tue 2026-01-13 21:15 → 23:15 UTC)',
    ],
    [
      'a same-day local window that crosses midnight in UTC',
      'every day 00:30-02:00 Europe/Zurich',
      '2026-01-13T00:00Z',
      'Tue 2026-01-13 00:30 → 02:00 Europe/Zurich (Mon 2026-01-12 23:30 → Tue 2026-01-13 01:00 UTC)',
    ],
    [
      'a window over the spring-forward change in Zurich',
      'once 2026-03-29 01:00 for 3h Europe/Zurich',
      '2026-01-01T00:00Z',
      'Sun 2026-03-29 01:00 → 05:00 Europe/Zurich (00:00 → 03:00 UTC)',
    ],
  ])('%s', (_what, spec, from, text) => {
    expect(describeWindow(firstWindow(spec, from))).toBe(text);
  });

  it('gives every weekday its English short name', () => {
    const names = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) =>
      describeWindow(firstWindow(`every ${day} 10:00-11:00 UTC`, '2026-01-05T00:00Z')).slice(0, 3),
    );
    expect(names).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
  });
});

describe('describeWindow: locale', () => {
  const defaultLocale = Settings.defaultLocale;
  afterEach(() => {
    Settings.defaultLocale = defaultLocale;
  });

  it.each(['de-CH', 'fr-FR', 'ja-JP', 'ar-EG'])('is in English when the default locale is %s', (locale) => {
    Settings.defaultLocale = locale;
    const window = firstWindow('every sat 23:00-03:00 Europe/London', '2026-01-01T00:00Z');
    expect(window.start.locale).toBe(locale);
    expect(describeWindow(window)).toBe('Sat 2026-01-03 23:00 → Sun 2026-01-04 03:00 Europe/London (23:00 → 01-04 03:00 UTC)');
  });

  it('is in English when the window itself carries another locale', () => {
    const window = firstWindow('every day 14:00-17:00 Europe/Zurich', '2026-01-13T00:00Z');
    const german: Window = { start: window.start.setLocale('de-CH'), end: window.end.setLocale('fr-CH') };
    expect(describeWindow(german)).toBe('Tue 2026-01-13 14:00 → 17:00 Europe/Zurich (13:00 → 16:00 UTC)');
  });
});
