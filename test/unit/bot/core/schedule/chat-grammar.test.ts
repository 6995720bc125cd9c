import { describe, expect, it } from 'vitest';
import type { Rule } from '../../../../../bot/core/schedule/index.ts';
import { parsed } from './support.ts';

function ruleOf(spec: string): Rule {
  return parsed(`${spec} 02:00 for 1h starting 2026-01-01 UTC`).rule;
}

describe('chat rules', () => {
  it.each<[string, Rule]>([
    ['every day', { kind: 'daily', interval: 1 }],
    ['every 1 day', { kind: 'daily', interval: 1 }],
    ['every 3 days', { kind: 'daily', interval: 3 }],
    ['every mon,tue,wed,thu,fri', { kind: 'weekly', interval: 1, weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] }],
    ['every mon-fri', { kind: 'weekly', interval: 1, weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] }],
    ['every weekday', { kind: 'weekly', interval: 1, weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] }],
    ['every tuesday', { kind: 'weekly', interval: 1, weekdays: ['tue'] }],
    ['every Sunday, Saturday', { kind: 'weekly', interval: 1, weekdays: ['sat', 'sun'] }],
    ['every week on sat', { kind: 'weekly', interval: 1, weekdays: ['sat'] }],
    ['every 2 weeks on sat', { kind: 'weekly', interval: 2, weekdays: ['sat'] }],
    ['every 2 weeks sat,sun', { kind: 'weekly', interval: 2, weekdays: ['sat', 'sun'] }],
    ['every 2nd tue', { kind: 'monthly-weekday', ordinal: 2, weekday: 'tue', months: [], offsetDays: 0 }],
    ['every second Tuesday', { kind: 'monthly-weekday', ordinal: 2, weekday: 'tue', months: [], offsetDays: 0 }],
    ['every last fri', { kind: 'monthly-weekday', ordinal: -1, weekday: 'fri', months: [], offsetDays: 0 }],
    ['every 2nd-last sun', { kind: 'monthly-weekday', ordinal: -2, weekday: 'sun', months: [], offsetDays: 0 }],
    ['every 5th mon', { kind: 'monthly-weekday', ordinal: 5, weekday: 'mon', months: [], offsetDays: 0 }],
    ['every 2nd tue of jan,apr,jul,oct', { kind: 'monthly-weekday', ordinal: 2, weekday: 'tue', months: [1, 4, 7, 10], offsetDays: 0 }],
    ['every 3rd wednesday of march,september', { kind: 'monthly-weekday', ordinal: 3, weekday: 'wed', months: [3, 9], offsetDays: 0 }],
    ['every 2nd tue of every month', { kind: 'monthly-weekday', ordinal: 2, weekday: 'tue', months: [], offsetDays: 0 }],
    ['every 2nd tue +2 days', { kind: 'monthly-weekday', ordinal: 2, weekday: 'tue', months: [], offsetDays: 2 }],
    ['every 2nd tue +1 day', { kind: 'monthly-weekday', ordinal: 2, weekday: 'tue', months: [], offsetDays: 1 }],
    ['every 2nd tue +2d', { kind: 'monthly-weekday', ordinal: 2, weekday: 'tue', months: [], offsetDays: 2 }],
    ['every 1st mon -3 days', { kind: 'monthly-weekday', ordinal: 1, weekday: 'mon', months: [], offsetDays: -3 }],
    ['every 2nd tue +2 days of jan,jul', { kind: 'monthly-weekday', ordinal: 2, weekday: 'tue', months: [1, 7], offsetDays: 2 }],
    ['every 2nd tue of jan,jul +2 days', { kind: 'monthly-weekday', ordinal: 2, weekday: 'tue', months: [1, 7], offsetDays: 2 }],
    ['day 15 of every month', { kind: 'monthly-day', day: 15, months: [] }],
    ['day -1 of every month', { kind: 'monthly-day', day: -1, months: [] }],
    ['day 1 of jan,jul', { kind: 'monthly-day', day: 1, months: [1, 7] }],
    ['day 29 of february', { kind: 'monthly-day', day: 29, months: [2] }],
    ['day 31 of nov-feb', { kind: 'monthly-day', day: 31, months: [1, 2, 11, 12] }],
    ['EVERY DAY', { kind: 'daily', interval: 1 }],
  ])('%s', (spec, rule) => {
    expect(ruleOf(spec)).toEqual(rule);
  });

  it('reads once with its date', () => {
    expect(parsed('once 2026-12-24 02:00 for 2h Europe/Berlin').rule).toEqual({ kind: 'once', date: '2026-12-24' });
  });
});
