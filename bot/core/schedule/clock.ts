// Wall-clock times of day as written in specs: `H:MM` or `HH:MM`, 00:00 … 23:59.
import { pad2 } from './calendar.ts';
import type { ClockTime } from './model.ts';

export function parseClockTime(text: string): ClockTime | undefined {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (match === null) return undefined;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  return hour <= 23 && minute <= 59 ? { hour, minute } : undefined;
}

export function formatClockTime(time: ClockTime): string {
  return `${pad2(time.hour)}:${pad2(time.minute)}`;
}

export function minuteOfDay(time: ClockTime): number {
  return time.hour * 60 + time.minute;
}
