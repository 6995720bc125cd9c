// Shared helpers for the schedule tests: parse-or-throw and windows as ISO string pairs.
import { DateTime } from 'luxon';
import { parseSchedule, windowToJson, windowsOf } from '../../../../../bot/core/schedule/index.ts';
import type { Schedule, SkipRange } from '../../../../../bot/core/schedule/index.ts';

export function parsed(text: string, defaultZone = 'UTC'): Schedule {
  const result = parseSchedule(text, { defaultZone });
  if (!result.ok) throw new Error(`expected "${text}" to parse: ${result.error.message}`);
  return result.schedule;
}

export type IsoWindow = readonly [start: string, end: string];

/** The first `count` windows ending after `from` (an ISO instant with offset), as ISO pairs. */
export function isoWindows(schedule: Schedule, from: string, count: number, skips?: readonly SkipRange[]): IsoWindow[] {
  const windows = windowsOf(schedule, { from: DateTime.fromISO(from), count, ...(skips === undefined ? {} : { skips }) });
  return windows.map(windowToJson).map(({ start, end }) => [start, end] as const);
}

/** Every window of the spec starting in local 2026–2027 (its zone). */
export function windowsIn2026And2027(spec: string): IsoWindow[] {
  const schedule = parsed(spec);
  const from = DateTime.fromISO('2026-01-01T00:00', { zone: schedule.zone });
  const until = DateTime.fromISO('2028-01-01T00:00', { zone: schedule.zone });
  return windowsOf(schedule, { from, count: 2000 })
    .filter((window) => window.start < until)
    .map(windowToJson)
    .map(({ start, end }) => [start, end] as const);
}
