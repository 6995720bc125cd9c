// preview_1000_ms: `schedule preview --count 1000 --json` in process, for each grammar example;
// the headline figure is the slowest example. Target from issue 3: under 200 ms.
import { performance } from 'node:perf_hooks';
import { renderPreview } from '../../bot/commands/schedule-preview-command.ts';
import type { Figure } from './bench-report.ts';

export const PREVIEW_EXAMPLES: Readonly<Record<string, string>> = {
  daily: 'every day 02:00-05:00 Europe/Zurich',
  weekdays: 'every mon,tue,wed,thu,fri 14:00-17:00 Europe/Zurich',
  nth_weekday: 'every 2nd tue 14:00-17:00 Europe/Zurich',
  nth_weekday_of_months: 'every 2nd tue of jan,apr,jul,oct 14:00-17:00 Europe/Zurich',
  last_weekday_for: 'every last fri 22:00 for 4h UTC',
  anchor_plus_days: 'every 2nd tue +2 days 01:00 for 3h America/New_York',
  day_of_month: 'day 15 of every month 01:00 for 3h Asia/Tokyo',
  overnight: 'every sat 23:00-03:00 Europe/London',
  rrule: 'RRULE:FREQ=MONTHLY;BYDAY=-1SU;BYMONTH=3,9 at 01:00 for 2h Australia/Sydney',
  every_two_weeks: 'every 2 weeks on sat 01:00 for 6h starting 2026-12-05 UTC',
  once: 'once 2026-12-24 02:00 for 2h Europe/Berlin',
};

const RUNS = 11;
const FROM = new Date('2026-11-25T00:00:00Z');

export function benchSchedulePreview(): Record<string, Figure> {
  const figures: Record<string, Figure> = {};
  let slowest = { name: '', ms: 0 };
  for (const [name, spec] of Object.entries(PREVIEW_EXAMPLES)) {
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const outcome = renderPreview(spec, { count: '1000', json: true }, { defaultZone: 'UTC', skips: [], now: FROM });
      times.push(performance.now() - started);
      if (!outcome.ok) throw new Error(`example ${name} does not parse: ${outcome.error}`);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(RUNS / 2)] ?? 0;
    figures[`preview_1000_ms_${name}`] = { value: median, unit: 'ms', target: 200, runs: RUNS, note: `median; slowest run ${round(times.at(-1) ?? 0)} ms` };
    if (median > slowest.ms) slowest = { name, ms: median };
  }
  return { preview_1000_ms: { value: slowest.ms, unit: 'ms', target: 200, runs: RUNS, note: `median of the slowest example: ${slowest.name}` }, ...figures };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
