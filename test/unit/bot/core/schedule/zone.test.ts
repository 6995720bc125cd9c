import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { canonicalZoneName, zoneNamed } from '../../../../../bot/core/schedule/zone.ts';

describe('zone names', () => {
  it.each([
    ['Europe/Zurich', 'Europe/Zurich'],
    ['europe/zurich', 'Europe/Zurich'],
    ['AMERICA/NEW_YORK', 'America/New_York'],
    ['america/port-au-prince', 'America/Port-au-Prince'],
    ['utc', 'UTC'],
    ['UTC', 'UTC'],
    // Aliases stay as typed; ICU would rename this one to Asia/Calcutta.
    ['Asia/Kolkata', 'Asia/Kolkata'],
    ['asia/kolkata', 'Asia/Kolkata'],
    ['Asia/Kathmandu', 'Asia/Kathmandu'],
  ])('%s → %s', (text, name) => {
    expect(canonicalZoneName(text)).toBe(name);
  });

  it.each(['Europe/Zurch', 'Mars/Olympus', 'UTC+2', '+02:00', 'local', '', 'Europe/Zurich extra', 'constructor'])('rejects %j', (text) => {
    expect(canonicalZoneName(text)).toBeUndefined();
  });

  it('uses the fixed UTC zone so ISO strings end in Z', () => {
    expect(zoneNamed('UTC').isUniversal).toBe(true);
    expect(zoneNamed('Europe/Zurich').name).toBe('Europe/Zurich');
  });
});

describe('zoneNamed offsets', () => {
  const NAMES = ['Europe/Zurich', 'America/New_York', 'Australia/Sydney', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Africa/Monrovia', 'America/Santiago', 'Pacific/Apia'];

  it('agree with luxon\'s own IANA zones from 1900 to 2100 (incl. odd historical offsets)', () => {
    fc.assert(fc.property(
      fc.constantFrom(...NAMES),
      fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }),
      (name, ts) => {
        expect(zoneNamed(name).offset(ts)).toBeCloseTo(IANAZone.create(name).offset(ts), 9);
      },
    ), { numRuns: 3000 });
  });

  it('are real IANA zones: DateTimes built on them equal luxon\'s', () => {
    const zone = zoneNamed('Europe/Zurich');
    expect(zone).toBeInstanceOf(IANAZone);
    const ours = DateTime.fromMillis(Date.UTC(2026, 2, 29, 1), { zone });
    const theirs = DateTime.fromMillis(Date.UTC(2026, 2, 29, 1), { zone: 'Europe/Zurich' });
    expect(ours.equals(theirs)).toBe(true);
    expect(ours.toISO()).toBe('2026-03-29T03:00:00.000+02:00');
  });

  it('knows 45-minute offsets and a lost day', () => {
    expect(zoneNamed('Asia/Kathmandu').offset(Date.UTC(2026, 0, 1))).toBe(345);
    expect(zoneNamed('Pacific/Apia').offset(Date.UTC(2011, 11, 29))).toBe(-600);
    expect(zoneNamed('Pacific/Apia').offset(Date.UTC(2011, 11, 31))).toBe(840);
  });

  it('marks unknown names invalid instead of throwing', () => {
    expect(zoneNamed('Nowhere/Land').isValid).toBe(false);
  });
});
