import { describe, expect, it } from 'vitest';
import { formatSkipRange, parseSkipRange } from '../../../../../bot/core/schedule/index.ts';
import type { SkipRange } from '../../../../../bot/core/schedule/index.ts';
import { isoWindows, parsed } from './support.ts';

describe('parseSkipRange', () => {
  it.each<[string, SkipRange, string]>([
    ['2026-12-20..2027-01-06', { from: '2026-12-20', to: '2027-01-06', zone: 'Europe/Zurich' }, ''],
    ['2026-12-20..2027-01-06 Europe/Berlin', { from: '2026-12-20', to: '2027-01-06', zone: 'Europe/Berlin' }, ''],
    ['2026-12-20..2027-01-06 Europe/Berlin change freeze', { from: '2026-12-20', to: '2027-01-06', zone: 'Europe/Berlin' }, 'change freeze'],
    ['2026-12-24 christmas eve', { from: '2026-12-24', to: '2026-12-24', zone: 'Europe/Zurich' }, 'christmas eve'],
    ['  2026-12-24   utc   office  closed ', { from: '2026-12-24', to: '2026-12-24', zone: 'UTC' }, 'office  closed'],
    ['2026-12-20 .. 2027-01-06 america/new_york', { from: '2026-12-20', to: '2027-01-06', zone: 'America/New_York' }, ''],
    // Only zone-shaped words are zones: "Japan" is an IANA alias but here it is the reason.
    ['2026-12-24 Japan office closed', { from: '2026-12-24', to: '2026-12-24', zone: 'Europe/Zurich' }, 'Japan office closed'],
    ['2026-12-24..2026-12-24', { from: '2026-12-24', to: '2026-12-24', zone: 'Europe/Zurich' }, ''],
  ])('%j', (text, range, rest) => {
    expect(parseSkipRange(text, 'Europe/Zurich')).toEqual({ ok: true, range, rest });
  });

  it.each([
    ['', ''],
    ['christmas', 'christmas'],
    ['2026-12-32', '2026-12-32'],
    ['2026-02-29', '2026-02-29'],
    ['2026-12-20..', ''],
    ['2026-12-20..2027-13-01', '2027-13-01'],
    ['2027-01-06..2026-12-20', '2027-01-06..2026-12-20'],
    ['2026-12-20..2026-12-21..2026-12-22', '2026-12-20..2026-12-21..2026-12-22'],
    ['20.12.2026', '20.12.2026'],
    ['2026-12-20 Europe/Zurch', 'Europe/Zurch'],
    ['2026-12-20 Mars/Olympus holiday', 'Mars/Olympus'],
  ])('rejects %j quoting %j', (text, fragment) => {
    const result = parseSkipRange(text, 'Europe/Zurich');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.fragment).toBe(fragment);
    expect(result.error.message.startsWith(`cannot read "${fragment}": `)).toBe(true);
    expect(result.error.message).toContain('; example: 2026-12-20..2027-01-06 Europe/Zurich');
  });

  it('rejects an invalid default zone', () => {
    const result = parseSkipRange('2026-12-24', 'Nowhere/Land');
    expect(result.ok ? '' : result.error.fragment).toBe('Nowhere/Land');
  });

  it('prints a canonical form that parses back', () => {
    for (const range of [
      { from: '2026-12-20', to: '2027-01-06', zone: 'Europe/Zurich' },
      { from: '2026-12-24', to: '2026-12-24', zone: 'UTC' },
    ]) {
      expect(parseSkipRange(formatSkipRange(range), 'Asia/Tokyo')).toEqual({ ok: true, range, rest: '' });
    }
    expect(formatSkipRange({ from: '2026-12-24', to: '2026-12-24', zone: 'UTC' })).toBe('2026-12-24 UTC');
  });
});

describe('skip ranges in windowsOf', () => {
  const daily = parsed('every day 22:00-00:00 Europe/Zurich');
  const skip = (from: string, to: string, zone = 'Europe/Zurich'): SkipRange => ({ from, to, zone });

  it('a window ending exactly at 00:00 of the range start does not overlap it', () => {
    expect(isoWindows(daily, '2026-12-19T00:00:00+01:00', 2, [skip('2026-12-20', '2026-12-21')])).toEqual([
      ['2026-12-19T22:00:00+01:00', '2026-12-20T00:00:00+01:00'],
      ['2026-12-22T22:00:00+01:00', '2026-12-23T00:00:00+01:00'],
    ]);
  });

  it('the range covers its last day up to the next midnight', () => {
    const early = parsed('every day 00:00-00:30 Europe/Zurich');
    expect(isoWindows(early, '2026-12-20T00:00:00+01:00', 1, [skip('2026-12-20', '2026-12-21')])).toEqual([
      ['2026-12-22T00:00:00+01:00', '2026-12-22T00:30:00+01:00'],
    ]);
  });

  it('a window running into the range overlaps it, as does one starting on its last day', () => {
    const late = parsed('every day 23:00-00:01 Europe/Zurich');
    // 12-19 23:00 runs one minute into the range; 12-20 23:00 starts inside it.
    expect(isoWindows(late, '2026-12-19T12:00:00+01:00', 1, [skip('2026-12-20', '2026-12-20')])).toEqual([
      ['2026-12-21T23:00:00+01:00', '2026-12-22T00:01:00+01:00'],
    ]);
  });

  it('reads the range in its own zone', () => {
    // 2026-12-20 in Tokyo is 2026-12-19T15:00Z … 2026-12-20T15:00Z: the UTC 14:00 window of the 20th is
    // inside it, the 19th's is before it; the 15:00 window of the 19th is inside, the 20th's starts at its end.
    const utc = parsed('every day 14:00 for 30m UTC');
    expect(isoWindows(utc, '2026-12-19T00:00:00Z', 2, [skip('2026-12-20', '2026-12-20', 'Asia/Tokyo')])).toEqual([
      ['2026-12-19T14:00:00Z', '2026-12-19T14:30:00Z'],
      ['2026-12-21T14:00:00Z', '2026-12-21T14:30:00Z'],
    ]);
    expect(isoWindows(parsed('every day 15:00 for 30m UTC'), '2026-12-19T00:00:00Z', 1, [skip('2026-12-20', '2026-12-20', 'Asia/Tokyo')])).toEqual([
      ['2026-12-20T15:00:00Z', '2026-12-20T15:30:00Z'],
    ]);
  });

  it('skipped windows do not count towards `count`', () => {
    const patch = parsed('every 2nd tue 14:00-17:00 Europe/Zurich');
    expect(isoWindows(patch, '2026-11-01T00:00:00+01:00', 2, [skip('2026-12-01', '2027-01-31')])).toEqual([
      ['2026-11-10T14:00:00+01:00', '2026-11-10T17:00:00+01:00'],
      ['2027-02-09T14:00:00+01:00', '2027-02-09T17:00:00+01:00'],
    ]);
  });

  it('uses DST-aware midnights (skip range over the Zurich spring-forward)', () => {
    const schedule = parsed('every day 23:30 for 1h Europe/Zurich');
    // 2026-03-29 starts at 00:00+01:00 and ends at 2026-03-30T00:00+02:00 (a 23-hour day)
    // 03-28 23:30 runs into the range, 03-29 23:30+02:00 starts half an hour before its end.
    expect(isoWindows(schedule, '2026-03-28T12:00:00+01:00', 2, [skip('2026-03-29', '2026-03-29')])).toEqual([
      ['2026-03-30T23:30:00+02:00', '2026-03-31T00:30:00+02:00'],
      ['2026-03-31T23:30:00+02:00', '2026-04-01T00:30:00+02:00'],
    ]);
  });
});
