import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSchedule, parseSchedule, windowToJson, windowsOf } from '../../../../../bot/core/schedule/index.ts';
import { fromInstant, validSpec } from './spec-arbitrary.ts';
import { parsed } from './support.ts';

describe('formatSchedule', () => {
  it.each([
    ['every day 02:00-05:00 Europe/Zurich', 'every day 02:00-05:00 Europe/Zurich'],
    ['EVERY Tuesday at 2:00 - 5:00 europe/zurich', 'every tue 02:00-05:00 Europe/Zurich'],
    ['every mon-fri 14:00 to 17:00', 'every mon,tue,wed,thu,fri 14:00-17:00 UTC'],
    ['every Sunday, Saturday 14:00-17:00', 'every sat,sun 14:00-17:00 UTC'],
    ['every week on sat 01:00 for 6h', 'every sat 01:00 for 6h UTC'],
    ['every 2 weeks on sat 01:00 for 360m starting 2026-12-05 UTC', 'every 2 weeks on sat 01:00 for 6h starting 2026-12-05 UTC'],
    ['every 3 days 01:00 for 1 hour 30 minutes starting 2026-12-05', 'every 3 days 01:00 for 1h30m starting 2026-12-05 UTC'],
    ['every second Tuesday of October, January +2d at 1:00 for 90 minutes', 'every 2nd tue of jan,oct +2 days 01:00 for 1h30m UTC'],
    ['every 2nd tue +1 days 01:00 for 3h America/New_York', 'every 2nd tue +1 day 01:00 for 3h America/New_York'],
    ['every last fri -1 day 22:00 for 4h', 'every last fri -1 day 22:00 for 4h UTC'],
    ['every 2nd-last sun of every month 22:00 for 24h', 'every 2nd-last sun 22:00 for 1d UTC'],
    ['day 15 of every month 01:00 for 180m Asia/Tokyo', 'day 15 of every month 01:00 for 3h Asia/Tokyo'],
    ['day -1 of December,June 01:00 for 3h', 'day -1 of jun,dec 01:00 for 3h UTC'],
    ['every sat 23:00-03:00 Europe/London', 'every sat 23:00-03:00 Europe/London'],
    ['once 2026-12-24 02:00 for 2h Europe/Berlin', 'once 2026-12-24 02:00 for 2h Europe/Berlin'],
    ['every day 02:00-05:00 10 times starting 2026-12-01', 'every day 02:00-05:00 starting 2026-12-01 10 times UTC'],
    ['every day 02:00-05:00 until 2027-06-30t12:00:00z', 'every day 02:00-05:00 until 2027-06-30T12:00:00Z UTC'],
    [
      'rrule:freq=monthly;bymonth=9,3;byday=-1su at 1:00 for 2h australia/sydney',
      'RRULE:FREQ=MONTHLY;BYDAY=-1SU;BYMONTH=3,9 at 01:00 for 2h Australia/Sydney',
    ],
    [
      'FREQ=WEEKLY;WKST=SU;COUNT=4;BYDAY=SU,TU;INTERVAL=2 09:00-10:00 starting 1997-08-05 UTC',
      'RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU;COUNT=4 at 09:00-10:00 starting 1997-08-05 UTC',
    ],
    [
      'RRULE:FREQ=MONTHLY;BYSETPOS=-1;BYDAY=FR,MO,TU,WE,TH;UNTIL=20271231T235959Z;WKST=MO at 18:00 for 2h',
      'RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;UNTIL=20271231T235959Z at 18:00 for 2h UTC',
    ],
  ])('%s → %s', (text, canonical) => {
    const schedule = parsed(text);
    expect(formatSchedule(schedule)).toBe(canonical);
    expect(parsed(canonical)).toEqual(schedule);
  });

  it('round-trips every generated spec: same Schedule, same windows, stable text', () => {
    fc.assert(
      fc.property(validSpec, fromInstant, ({ spec, defaultZone }, from) => {
        const first = parseSchedule(spec, { defaultZone });
        if (!first.ok) throw new Error(`${spec}: ${first.error.message}`);
        const text = formatSchedule(first.schedule);
        const second = parseSchedule(text, { defaultZone: 'Pacific/Chatham' });
        if (!second.ok) throw new Error(`${text}: ${second.error.message}`);
        expect(second.schedule).toEqual(first.schedule);
        expect(formatSchedule(second.schedule)).toBe(text);
        const windows = (schedule: typeof first.schedule): unknown[] => windowsOf(schedule, { from, count: 12 }).map(windowToJson);
        expect(windows(second.schedule)).toEqual(windows(first.schedule));
      }),
      { numRuns: 400 },
    );
  });
});
