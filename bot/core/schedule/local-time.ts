// Turning a local date and wall-clock time into an instant, with explicit DST rules:
// - a time in a spring-forward gap moves forward by the length of the gap (02:30 → 03:30);
// - a time in a fall-back overlap takes the earlier instant (java.time's rule).
// luxon's fromObject resolves overlaps differently, so we compute both candidate offsets ourselves.
import type { Zone } from 'luxon';
import { DAY_MS, MINUTE_MS } from './calendar.ts';

/** The instant (epoch ms) of `minuteOfDay` on local date `epochDay` in `zone`. */
export function instantOfLocal(epochDay: number, minuteOfDay: number, zone: Zone): number {
  // "Wall" is the local time read as if it were UTC; subtracting an offset gives a candidate
  // instant. Candidates lie within ±14 h of the wall time, so offsets one day either side of the
  // date bracket them (assuming offsets do not change twice within three days).
  const wall = epochDay * DAY_MS + minuteOfDay * MINUTE_MS;
  const offsetBefore = zone.offset((epochDay - 1) * DAY_MS);
  const offsetAfter = zone.offset((epochDay + 2) * DAY_MS);
  const early = wall - offsetBefore * MINUTE_MS;
  if (offsetBefore === offsetAfter) return early;
  const late = wall - offsetAfter * MINUTE_MS;
  const earlyExists = zone.offset(early) === offsetBefore;
  const lateExists = zone.offset(late) === offsetAfter;
  if (earlyExists && lateExists) return Math.min(early, late);
  if (earlyExists) return early;
  if (lateExists) return late;
  // Neither reading exists: the time is in a gap. Reading it with the offset in force before the
  // transition lands exactly the gap's length later on the other side.
  return early;
}

/** The local calendar date (epoch day) of an instant in `zone`. */
export function localDayOf(instant: number, zone: Zone): number {
  return Math.floor((instant + zone.offset(instant) * MINUTE_MS) / DAY_MS);
}
