// Expected instants were checked against Python's zoneinfo (fold=0 gives exactly our rules:
// earlier instant in an overlap, pre-transition offset — i.e. shifted forward — in a gap) and
// against the published transition dates: Europe 2026-03-29 / 2026-10-25, US 2026-03-08 /
// 2026-11-01, Australia (Sydney, Adelaide) 2026-04-05 / 2026-10-04, Lord Howe's 30-minute shift
// on the same days, Chile 2026-04-05 / 2026-09-06 at midnight, Samoa skipping 2011-12-30.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseIsoDate } from '../../../../../bot/core/schedule/calendar.ts';
import { instantOfLocal, localDayOf } from '../../../../../bot/core/schedule/local-time.ts';
import { zoneNamed } from '../../../../../bot/core/schedule/zone.ts';

function resolve(zoneName: string, date: string, time: string): string | null {
  const zone = zoneNamed(zoneName);
  const [hour = 0, minute = 0] = time.split(':').map(Number);
  const instant = instantOfLocal(parseIsoDate(date) ?? Number.NaN, hour * 60 + minute, zone);
  return DateTime.fromMillis(instant, { zone }).toISO({ suppressMilliseconds: true });
}

describe('instantOfLocal', () => {
  it.each([
    // ordinary times, including 30- and 45-minute offsets
    ['Europe/Zurich', '2026-06-01', '10:00', '2026-06-01T10:00:00+02:00'],
    ['Asia/Kolkata', '2026-06-01', '10:00', '2026-06-01T10:00:00+05:30'],
    ['Asia/Kathmandu', '2026-06-01', '10:00', '2026-06-01T10:00:00+05:45'],
    ['Australia/Adelaide', '2026-01-15', '10:00', '2026-01-15T10:00:00+10:30'],
    ['UTC', '2026-03-29', '02:30', '2026-03-29T02:30:00Z'],
  ])('%s %s %s is an ordinary time', (zone, date, time, iso) => {
    expect(resolve(zone, date, time)).toBe(iso);
  });

  it.each([
    ['Europe/Zurich', '2026-03-29', '02:00', '2026-03-29T03:00:00+02:00'],
    ['Europe/Zurich', '2026-03-29', '02:30', '2026-03-29T03:30:00+02:00'],
    ['Europe/Zurich', '2026-03-29', '02:59', '2026-03-29T03:59:00+02:00'],
    ['America/New_York', '2026-03-08', '02:30', '2026-03-08T03:30:00-04:00'],
    ['Australia/Sydney', '2026-10-04', '02:30', '2026-10-04T03:30:00+11:00'],
    ['Australia/Adelaide', '2026-10-04', '02:15', '2026-10-04T03:15:00+10:30'],
    // a 30-minute gap moves the time forward by 30 minutes
    ['Australia/Lord_Howe', '2026-10-04', '02:15', '2026-10-04T02:45:00+11:00'],
    // a gap at midnight
    ['America/Santiago', '2026-09-06', '00:00', '2026-09-06T01:00:00-03:00'],
    // a whole skipped day moves forward by 24 hours
    ['Pacific/Apia', '2011-12-30', '12:00', '2011-12-31T12:00:00+14:00'],
  ])('%s %s %s falls in a gap and moves forward by its length', (zone, date, time, iso) => {
    expect(resolve(zone, date, time)).toBe(iso);
  });

  it.each([
    ['Europe/Zurich', '2026-10-25', '02:00', '2026-10-25T02:00:00+02:00'],
    ['Europe/Zurich', '2026-10-25', '02:30', '2026-10-25T02:30:00+02:00'],
    ['America/New_York', '2026-11-01', '01:30', '2026-11-01T01:30:00-04:00'],
    ['Australia/Sydney', '2026-04-05', '02:30', '2026-04-05T02:30:00+11:00'],
    ['Australia/Adelaide', '2026-04-05', '02:45', '2026-04-05T02:45:00+10:30'],
    ['Australia/Lord_Howe', '2026-04-05', '01:45', '2026-04-05T01:45:00+11:00'],
    ['America/Santiago', '2026-04-04', '23:30', '2026-04-04T23:30:00-03:00'],
  ])('%s %s %s is ambiguous and takes the earlier instant', (zone, date, time, iso) => {
    expect(resolve(zone, date, time)).toBe(iso);
  });

  it.each([
    ['Europe/Zurich', '2026-10-25', '01:59', '2026-10-25T01:59:00+02:00'],
    ['Europe/Zurich', '2026-10-25', '03:00', '2026-10-25T03:00:00+01:00'],
    ['America/New_York', '2026-11-01', '00:59', '2026-11-01T00:59:00-04:00'],
    ['America/New_York', '2026-11-01', '02:00', '2026-11-01T02:00:00-05:00'],
    ['Europe/Zurich', '2026-03-29', '01:59', '2026-03-29T01:59:00+01:00'],
    ['Europe/Zurich', '2026-03-29', '03:00', '2026-03-29T03:00:00+02:00'],
  ])('%s %s %s just outside a transition is unchanged', (zone, date, time, iso) => {
    expect(resolve(zone, date, time)).toBe(iso);
  });
});

describe('localDayOf', () => {
  it('gives the local date of an instant in the zone', () => {
    const instant = Date.parse('2026-03-28T23:30:00Z');
    expect(localDayOf(instant, zoneNamed('UTC'))).toBe(parseIsoDate('2026-03-28'));
    expect(localDayOf(instant, zoneNamed('Europe/Zurich'))).toBe(parseIsoDate('2026-03-29'));
    expect(localDayOf(instant, zoneNamed('America/New_York'))).toBe(parseIsoDate('2026-03-28'));
  });
});
